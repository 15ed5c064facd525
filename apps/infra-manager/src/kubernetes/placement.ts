import { hashedProxyName } from '../host/proxy-name.ts';

/**
 * Where fleets go (Envoy Gateway's `provider.kubernetes.deploy.type`): all in the controller namespace, or
 * each in its Gateway's namespace.
 */
export const DEPLOY_TYPES = ['ControllerNamespace', 'GatewayNamespace'] as const;
export type DeployType = (typeof DEPLOY_TYPES)[number];

export class InvalidDeployTypeError extends Error {
  override readonly name = 'InvalidDeployTypeError';
}

export function parseDeployType(value: string): DeployType {
  const type = DEPLOY_TYPES.find((t) => t === value);
  if (!type) throw new InvalidDeployTypeError(`--deploy-type must be one of ${DEPLOY_TYPES.join(', ')}, not ${value}`);
  return type;
}

/** The namespace and the name every object of one Gateway's fleet shares. */
export interface FleetPlacement {
  readonly namespace: string;
  readonly name: string;
}

/** `envoy-<ns>-<gateway>-<hash8>`, the fleet name in the controller namespace (as Envoy Gateway). */
export function fleetName(irKey: string): string {
  return `envoy-${hashedProxyName(irKey, 48)}`;
}

/**
 * Derived from the IR key alone, so a fleet can be found and deleted after its infra IR is gone. In
 * GatewayNamespace mode the fleet takes the Gateway's own name and namespace, as Envoy Gateway's does;
 * merged Gateways (keyed by GatewayClass, no namespace) stay in the controller namespace.
 */
export function fleetPlacement(irKey: string, deployType: DeployType, controllerNamespace: string): FleetPlacement {
  const slash = irKey.indexOf('/');
  if (deployType === 'GatewayNamespace' && slash > 0) {
    return { namespace: irKey.slice(0, slash), name: irKey.slice(slash + 1) };
  }
  return { namespace: controllerNamespace, name: fleetName(irKey) };
}
