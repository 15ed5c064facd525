import { API_VERSION, translate, type Resource, type ResourceKind, type TranslateOptions } from '@eg/gatewayapi';
import { resourceKey, type ResourceStatus } from '@eg/ir';
import { toJSON, translateXds } from '@eg/xds';

export type OutputTarget = 'gateway-api' | 'ir' | 'xds';
export const OUTPUT_TARGETS: readonly OutputTarget[] = ['gateway-api', 'ir', 'xds'];

/** Keys of the gateway-api output, as Envoy Gateway's egctl names its resource lists. */
const KIND_KEYS: Readonly<Record<ResourceKind, string>> = {
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  ReferenceGrant: 'referenceGrants',
  Backend: 'backends',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Namespace: 'namespaces',
  TLSRoute: 'tlsRoutes',
  TCPRoute: 'tcpRoutes',
  UDPRoute: 'udpRoutes',
  Secret: 'secrets',
  EnvoyProxy: 'envoyProxies',
  ServiceImport: 'serviceImports',
  HTTPRouteFilter: 'httpFilters',
  ClientTrafficPolicy: 'clientTrafficPolicies',
  BackendTrafficPolicy: 'backendTrafficPolicies',
  SecurityPolicy: 'securityPolicies',
  ConfigMap: 'configMaps',
  BackendTLSPolicy: 'backendTLSPolicies',
};

/**
 * The document `egctl x translate` prints: the resources with their computed status (`gateway-api`) and
 * the `xdsIR` and `infraIR` maps (`ir`), and the Envoy resources per IR key (`xds`).
 */
export function translateOutput(
  resources: readonly Resource[],
  targets: ReadonlySet<OutputTarget>,
  options: TranslateOptions,
): Record<string, unknown> {
  const result = translate(resources, options);
  const output: Record<string, unknown> = {};
  if (targets.has('gateway-api')) Object.assign(output, withStatuses(resources, result.statuses));
  if (targets.has('ir')) {
    output['xdsIR'] = Object.fromEntries(result.xds);
    output['infraIR'] = Object.fromEntries(result.infra);
    // The ratelimit service's configuration, by domain; absent when no policy sets Global limits.
    if (result.rateLimit.size > 0) output['rateLimitIR'] = Object.fromEntries(result.rateLimit);
  }
  if (targets.has('xds')) {
    output['xds'] = Object.fromEntries([...result.xds].map(([key, ir]) => [key, toJSON(translateXds(ir))]));
  }
  return output;
}

function withStatuses(resources: readonly Resource[], statuses: readonly ResourceStatus[]): Record<string, unknown[]> {
  const statusOf = new Map(statuses.map((s) => [resourceKey(s.kind, s.namespace, s.name), s.status]));
  const groups: Record<string, unknown[]> = {};
  for (const resource of [...resources].sort((a, b) => compare(sortKey(a), sortKey(b)))) {
    const { kind, metadata, ...body } = resource;
    const namespace = 'namespace' in metadata ? metadata.namespace : undefined;
    const status = statusOf.get(resourceKey(kind, namespace, metadata.name));
    const key = KIND_KEYS[kind];
    groups[key] = [
      ...(groups[key] ?? []),
      { apiVersion: API_VERSION[kind], kind, metadata, ...body, ...(status !== undefined && { status }) },
    ];
  }
  return groups;
}

function sortKey(resource: Resource): string {
  const order = Object.keys(KIND_KEYS).indexOf(resource.kind);
  const { metadata } = resource;
  return `${String(order).padStart(2, '0')}/${'namespace' in metadata ? metadata.namespace : ''}/${metadata.name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
