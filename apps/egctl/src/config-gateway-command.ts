import { parseArgs } from 'node:util';
import { CONTROLLER_NAME } from '@eg/ir';
import { InvalidInputError, UsageError } from './errors.ts';
import { formatData, parseOutputFormat } from './output-format.ts';

/** The health ports of README's "Running one service alone" (provider, translator, xds-server, infra-manager, ratelimit). */
const DEFAULT_ENDPOINTS = [8081, 8082, 8083, 8084, 8085].map((p) => `http://127.0.0.1:${p}`);

export const CONFIG_GATEWAY_USAGE = `Usage: egctl config envoy-gateway [--endpoint URL ...] [-o yaml|json]

Shows what the running control-plane services are configured with: each service's version, process,
tracing export and command-line options, read from its health port's /config.
  --endpoint URL    a service's health endpoint (repeat for each; the standalone launcher prints them);
                    default ${DEFAULT_ENDPOINTS.join(', ')}
  -o, --output FMT  yaml (default) or json`;

export async function runConfigGateway(args: readonly string[]): Promise<string> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        endpoint: { type: 'string', multiple: true },
        output: { type: 'string', short: 'o', default: 'yaml' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const format = parseOutputFormat(values.output, ['yaml', 'json']) as 'yaml' | 'json';
  const endpoints = values.endpoint ?? DEFAULT_ENDPOINTS;
  const answers = await Promise.all(endpoints.map(fetchConfig));
  const failures = answers.filter((a) => 'error' in a);
  if (failures.length === answers.length) {
    throw new InvalidInputError(
      'no control-plane service answered',
      failures.map((f) => `${String(f['endpoint'])}: ${String(f['error'])}`),
    );
  }
  return formatData(
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'EnvoyGateway',
      gateway: { controllerName: CONTROLLER_NAME },
      services: answers,
    },
    format,
  );
}

async function fetchConfig(endpoint: string): Promise<Record<string, unknown>> {
  const url = `${endpoint.replace(/\/+$/, '')}/config`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return { endpoint, error: `${url} answered ${res.status}` };
    return { endpoint, ...((await res.json()) as Record<string, unknown>) };
  } catch (err) {
    return {
      endpoint,
      error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
    };
  }
}
