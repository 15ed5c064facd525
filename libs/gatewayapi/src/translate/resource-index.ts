import { canonicalJSON } from '@eg/ir';
import {
  NAMESPACE_NAME_LABEL,
  SERVICE_NAME_LABEL,
  type Backend,
  type EndpointSlice,
  type EnvoyProxy,
  type Gateway,
  type GatewayClass,
  type HTTPRoute,
  type Namespace,
  type ReferenceGrant,
  type Resource,
  type Resources,
  type Service,
} from '../resources.ts';

/**
 * The input of one translation, grouped by kind, each list in a stable order (namespace, name) so that the
 * output never depends on the order the resources arrived in.
 */
export interface ResourceIndex {
  readonly gatewayClasses: readonly GatewayClass[];
  readonly gateways: readonly Gateway[];
  readonly httpRoutes: readonly HTTPRoute[];
  readonly backends: readonly Backend[];
  readonly referenceGrants: readonly ReferenceGrant[];
  service(namespace: string, name: string): Service | undefined;
  backend(namespace: string, name: string): Backend | undefined;
  envoyProxy(namespace: string, name: string): EnvoyProxy | undefined;
  /** EndpointSlices labelled as belonging to the Service. */
  endpointSlices(namespace: string, serviceName: string): readonly EndpointSlice[];
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
  const envoyProxies = byNamespacedName(ofKind('EnvoyProxy'));
  const slices = new Map<string, EndpointSlice[]>();
  for (const slice of ofKind('EndpointSlice')) {
    const service = slice.metadata.labels[SERVICE_NAME_LABEL];
    if (service === undefined) continue;
    const key = `${slice.metadata.namespace}/${service}`;
    const list = slices.get(key);
    if (list) list.push(slice);
    else slices.set(key, [slice]);
  }
  const namespaces = new Map<string, Namespace>(ofKind('Namespace').map((n) => [n.metadata.name, n]));

  return {
    gatewayClasses: ofKind('GatewayClass'),
    gateways: ofKind('Gateway'),
    httpRoutes: ofKind('HTTPRoute'),
    backends,
    referenceGrants: ofKind('ReferenceGrant'),
    service: (namespace, name) => services.get(`${namespace}/${name}`),
    backend: (namespace, name) => backendsByName.get(`${namespace}/${name}`),
    envoyProxy: (namespace, name) => envoyProxies.get(`${namespace}/${name}`),
    endpointSlices: (namespace, serviceName) => slices.get(`${namespace}/${serviceName}`) ?? [],
    namespaceLabels: (name) => ({ ...namespaces.get(name)?.metadata.labels, [NAMESPACE_NAME_LABEL]: name }),
  };
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

/** Code-unit order, independent of the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
