import { canonicalJSON } from '@eg/ir';
import {
  MULTICLUSTER_SERVICE_NAME_LABEL,
  NAMESPACE_NAME_LABEL,
  SERVICE_NAME_LABEL,
  type Backend,
  type BackendTrafficPolicy,
  type ClientTrafficPolicy,
  type ConfigMap,
  type EndpointSlice,
  type EnvoyProxy,
  type Gateway,
  type GatewayClass,
  type GRPCRoute,
  type HTTPRoute,
  type HTTPRouteFilterResource,
  type Namespace,
  type ReferenceGrant,
  type Resource,
  type Resources,
  type Secret,
  type SecurityPolicy,
  type Service,
  type ServiceImport,
  type TCPRoute,
  type TLSRoute,
  type UDPRoute,
} from '../resources.ts';
import { compileBackendTLSPolicies, type BackendTLSPolicies } from './backend-tls.ts';

/**
 * The input of one translation, grouped by kind, each list in a stable order (namespace, name) so that the
 * output never depends on the order the resources arrived in.
 */
export interface ResourceIndex {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  readonly grpcRoutes: readonly GRPCRoute[];
  readonly tlsRoutes: readonly TLSRoute[];
  readonly tcpRoutes: readonly TCPRoute[];
  readonly udpRoutes: readonly UDPRoute[];
  readonly backends: readonly Backend[];
  readonly referenceGrants: readonly ReferenceGrant[];
  /** Oldest first (then namespace/name): the order in which policies claim their targets. */
  readonly backendTrafficPolicies: readonly BackendTrafficPolicy[];
  /** Oldest first (then namespace/name), as backendTrafficPolicies. */
  readonly securityPolicies: readonly SecurityPolicy[];
  /** Oldest first (then namespace/name), as backendTrafficPolicies. */
  readonly clientTrafficPolicies: readonly ClientTrafficPolicy[];
  service(namespace: string, name: string): Service | undefined;
  backend(namespace: string, name: string): Backend | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  configMap(namespace: string, name: string): ConfigMap | undefined;
  envoyProxy(namespace: string, name: string): EnvoyProxy | undefined;
  /** EndpointSlices labelled as belonging to the Service. */
  endpointSlices(namespace: string, serviceName: string): readonly EndpointSlice[];
  serviceImport(namespace: string, name: string): ServiceImport | undefined;
  /** EndpointSlices labelled as belonging to the ServiceImport (multi-cluster endpoints). */
  serviceImportSlices(namespace: string, name: string): readonly EndpointSlice[];
  /** Envoy Gateway HTTPRouteFilter resources, referenced by ExtensionRef filters. */
  httpRouteFilter(namespace: string, name: string): HTTPRouteFilterResource | undefined;
  /** BackendTLSPolicies, oldest first, resolved against their CA ConfigMaps and Secrets. */
  readonly backendTLS: BackendTLSPolicies;
  /** A namespace's labels, including the name label Kubernetes sets on every Namespace. */
  namespaceLabels(name: string): Readonly<Record<string, string>>;
}

export function indexResources(resources: Resources): ResourceIndex {
  const sorted = unique([...resources].sort(compareResources));
  const ofKind = <K extends Resource['kind']>(kind: K) =>
    sorted.filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind);

  const services = byNamespacedName(ofKind('Service'));
  const backends = ofKind('Backend');
  const backendsByName = byNamespacedName(backends);
  const secrets = byNamespacedName(ofKind('Secret'));
  const envoyProxies = byNamespacedName(ofKind('EnvoyProxy'));
  const slices = slicesByLabel(ofKind('EndpointSlice'), SERVICE_NAME_LABEL);
  const importSlices = slicesByLabel(ofKind('EndpointSlice'), MULTICLUSTER_SERVICE_NAME_LABEL);
  const serviceImports = byNamespacedName(ofKind('ServiceImport'));
  const routeFilters = byNamespacedName(ofKind('HTTPRouteFilter'));
  const namespaces = new Map<string, Namespace>(ofKind('Namespace').map((n) => [n.metadata.name, n]));
  const configMaps = byNamespacedName(ofKind('ConfigMap'));
  const configMap = (namespace: string, name: string) => configMaps.get(`${namespace}/${name}`);
  const secret = (namespace: string, name: string) => secrets.get(`${namespace}/${name}`);
  const backendTLS = compileBackendTLSPolicies([...ofKind('BackendTLSPolicy')].sort(compareAge), { configMap, secret });

  return {
    gatewayClasses: ofKind('GatewayClass'),
    gateways: ofKind('Gateway'),
    httpRoutes: ofKind('HTTPRoute'),
    grpcRoutes: ofKind('GRPCRoute'),
    tlsRoutes: ofKind('TLSRoute'),
    tcpRoutes: ofKind('TCPRoute'),
    udpRoutes: ofKind('UDPRoute'),
    backends,
    referenceGrants: ofKind('ReferenceGrant'),
    backendTrafficPolicies: [...ofKind('BackendTrafficPolicy')].sort(compareAge),
    securityPolicies: [...ofKind('SecurityPolicy')].sort(compareAge),
    clientTrafficPolicies: [...ofKind('ClientTrafficPolicy')].sort(compareAge),
    service: (namespace, name) => services.get(`${namespace}/${name}`),
    backend: (namespace, name) => backendsByName.get(`${namespace}/${name}`),
    secret,
    configMap,
    envoyProxy: (namespace, name) => envoyProxies.get(`${namespace}/${name}`),
    endpointSlices: (namespace, serviceName) => slices.get(`${namespace}/${serviceName}`) ?? [],
    serviceImport: (namespace, name) => serviceImports.get(`${namespace}/${name}`),
    serviceImportSlices: (namespace, name) => importSlices.get(`${namespace}/${name}`) ?? [],
    httpRouteFilter: (namespace, name) => routeFilters.get(`${namespace}/${name}`),
    backendTLS,
    namespaceLabels: (name) => ({ ...namespaces.get(name)?.metadata.labels, [NAMESPACE_NAME_LABEL]: name }),
  };
}

/** Slices grouped by `<namespace>/<value of label>`. */
function slicesByLabel(all: readonly EndpointSlice[], label: string): Map<string, EndpointSlice[]> {
  const grouped = new Map<string, EndpointSlice[]>();
  for (const slice of all) {
    const owner = slice.metadata.labels[label];
    if (owner === undefined) continue;
    const key = `${slice.metadata.namespace}/${owner}`;
    const list = grouped.get(key);
    if (list) list.push(slice);
    else grouped.set(key, [slice]);
  }
  return grouped;
}

function byNamespacedName<T extends { metadata: { namespace: string; name: string } }>(items: readonly T[]) {
  return new Map(items.map((item) => [`${item.metadata.namespace}/${item.metadata.name}`, item]));
}

/** Keeps one resource per kind and name; the sort makes the survivor independent of input order. */
function unique(sorted: readonly Resource[]): Resource[] {
  return sorted.filter((r, i) => i === 0 || compareIdentity(sorted[i - 1] as Resource, r) !== 0);
}

function compareIdentity(a: Resource, b: Resource): number {
  const na = 'namespace' in a.metadata ? a.metadata.namespace : '';
  const nb = 'namespace' in b.metadata ? b.metadata.namespace : '';
  return compareText(a.kind, b.kind) || compareText(na, nb) || compareText(a.metadata.name, b.metadata.name);
}

function compareResources(a: Resource, b: Resource): number {
  return compareIdentity(a, b) || compareText(canonicalJSON(a), canonicalJSON(b));
}

/** Oldest creationTimestamp first (absent sorts as the newest), then namespace/name (already the sort order). */
function compareAge(a: { metadata: { creationTimestamp?: string } }, b: { metadata: { creationTimestamp?: string } }) {
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta === tb) return 0;
  if (ta === undefined) return 1;
  if (tb === undefined) return -1;
  return Date.parse(ta) - Date.parse(tb) || compareText(ta, tb);
}

/** Code-unit order, independent of the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
