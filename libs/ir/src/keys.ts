/** The IR key of a Gateway: `<namespace>/<name>` (Envoy's node.cluster). */
export function gatewayIRKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Controller name Envoy Gateway's GatewayClasses use. */
export const CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

/** Namespace for resources given without one, and for the fleet's objects. */
export const DEFAULT_NAMESPACE = 'envoy-gateway-system';

/** Labels that tie fleet objects to their Gateway. */
export const OWNING_GATEWAY_NAME_LABEL = 'gateway.envoyproxy.io/owning-gateway-name';
export const OWNING_GATEWAY_NAMESPACE_LABEL = 'gateway.envoyproxy.io/owning-gateway-namespace';

/** Bus key of one Kubernetes object: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function resourceKey(kind: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

/** The rate-limit domain of a shared rule: its policy, `<ns>/<policy>` (the rule name without `/rule/<i>`). */
export function sharedRateLimitDomain(ruleName: string): string {
  const at = ruleName.lastIndexOf('/rule/');
  return at < 0 ? ruleName : ruleName.slice(0, at);
}

/**
 * The rate-limit domain of a listener's routes: the name of the listener whose HTTP connection manager serves
 * them. Plain HTTP listeners sharing a port share one (named after the first); HTTPS listeners have their own.
 */
export function listenerRateLimitDomain(
  listener: { readonly name: string; readonly port: number; readonly tls?: unknown },
  all: readonly { readonly name: string; readonly port: number; readonly tls?: unknown }[],
): string {
  if (listener.tls) return listener.name;
  return all.find((l) => !l.tls && l.port === listener.port)?.name ?? listener.name;
}
