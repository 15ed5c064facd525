import type { KubernetesProxyConfig } from '@eg/ir';
import {
  ENVOY_GATEWAY_GROUP,
  type EnvoyProxy,
  type Gateway,
  type GatewayClass,
  type ParametersReference,
} from '../resources.ts';
import type { ResourceIndex } from './resource-index.ts';

function resolve(
  ref: ParametersReference | undefined,
  namespace: string | undefined,
  index: ResourceIndex,
): EnvoyProxy | undefined {
  if (!ref || ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'EnvoyProxy') return undefined;
  const ns = ref.namespace ?? namespace;
  return ns === undefined ? undefined : index.envoyProxy(ns, ref.name);
}

type Plain = Readonly<Record<string, unknown>>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge where `over` wins field by field (maps such as annotations merge key by key). */
function merge(base: Plain, over: Plain): Plain {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? merge(current, value) : value;
  }
  return out;
}

/**
 * The Kubernetes customisation of a Gateway's fleet: the Gateway's own EnvoyProxy
 * (`spec.infrastructure.parametersRef`) replaces its GatewayClass's (`spec.parametersRef`), as Envoy Gateway
 * does, unless it sets `mergeType`, in which case it is merged onto it field by field.
 */
export function proxyConfigFor(
  gateway: Gateway,
  gatewayClass: GatewayClass | undefined,
  index: ResourceIndex,
): KubernetesProxyConfig | undefined {
  const fromClass = resolve(gatewayClass?.spec.parametersRef, undefined, index);
  const fromGateway = resolve(gateway.spec.infrastructure?.parametersRef, gateway.metadata.namespace, index);
  if (!fromGateway) return fromClass?.spec.kubernetes;
  if (!fromClass || !fromGateway.spec.mergeType) return fromGateway.spec.kubernetes;
  return merge(fromClass.spec.kubernetes as Plain, fromGateway.spec.kubernetes as Plain) as KubernetesProxyConfig;
}
