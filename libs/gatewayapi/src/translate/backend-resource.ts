import { isIP } from 'node:net';
import type { ResourceStatus } from '@eg/ir';
import { API_VERSION, type Backend, type BackendEndpoint } from '../resources.ts';
import { condition, type Problem } from './conditions.ts';
import type { TranslateOptions } from './listeners.ts';

/**
 * Why a Backend cannot be used, if it cannot: what Envoy Gateway rejects (loopback and single-label names
 * outside host mode), plus what this implementation does not route yet.
 */
export function backendProblem(backend: Backend, options: TranslateOptions): Problem | undefined {
  if (backend.spec.type === 'DynamicResolver') {
    return { reason: 'UnsupportedValue', message: 'DynamicResolver backends are not supported yet' };
  }
  for (const endpoint of backend.spec.endpoints) {
    const problem = endpointProblem(endpoint, options);
    if (problem) return problem;
  }
  return undefined;
}

function endpointProblem(endpoint: BackendEndpoint, options: TranslateOptions): Problem | undefined {
  switch (endpoint.type) {
    case 'Unix':
      return { reason: 'UnsupportedAddressType', message: 'unix domain socket endpoints are not supported yet' };
    case 'IP':
      if (!options.runningOnHost && isLoopback(endpoint.address)) {
        return {
          reason: 'InvalidAddress',
          message: `IP address ${endpoint.address} in the loopback range is not supported`,
        };
      }
      return undefined;
    case 'FQDN':
      if (!options.runningOnHost && !endpoint.hostname.includes('.')) {
        return {
          reason: 'InvalidAddress',
          message: `hostname ${endpoint.hostname} should be a domain with at least two segments separated by dots`,
        };
      }
      return undefined;
  }
}

function isLoopback(address: string): boolean {
  if (isIP(address) === 6) return address === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(address);
  return address.startsWith('127.');
}

export function backendStatus(backend: Backend, options: TranslateOptions): ResourceStatus {
  const { namespace, name, generation } = backend.metadata;
  const problem = backendProblem(backend, options);
  const accepted = problem
    ? condition('Accepted', 'False', 'Invalid', `The Backend was not accepted: ${problem.message}`, generation)
    : condition('Accepted', 'True', 'Accepted', 'The Backend was accepted', generation);
  return {
    kind: 'Backend',
    apiVersion: API_VERSION.Backend,
    namespace,
    name,
    status: { conditions: [accepted] },
  };
}
