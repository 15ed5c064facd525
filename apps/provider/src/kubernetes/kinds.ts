/** A kind the provider watches. Optional kinds (CRDs a cluster may lack) are skipped when not served. */
export interface WatchedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly optional: boolean;
  /** Watch only objects with these labels (e.g. the Envoy fleets, not every Deployment). */
  readonly labelSelector?: string;
}

const GW = 'gateway.networking.k8s.io';
const EG = 'gateway.envoyproxy.io/v1alpha1';

function kind(apiVersion: string, name: string, plural: string, namespaced: boolean, optional: boolean): WatchedKind {
  return { apiVersion, kind: name, plural, namespaced, optional };
}

export const WATCHED_KINDS: readonly WatchedKind[] = [
  kind(`${GW}/v1`, 'GatewayClass', 'gatewayclasses', false, false),
  kind(`${GW}/v1`, 'Gateway', 'gateways', true, false),
  kind(`${GW}/v1`, 'HTTPRoute', 'httproutes', true, false),
  kind(`${GW}/v1`, 'GRPCRoute', 'grpcroutes', true, true),
  kind(`${GW}/v1alpha2`, 'TLSRoute', 'tlsroutes', true, true),
  kind(`${GW}/v1alpha2`, 'TCPRoute', 'tcproutes', true, true),
  kind(`${GW}/v1alpha2`, 'UDPRoute', 'udproutes', true, true),
  kind(`${GW}/v1beta1`, 'ReferenceGrant', 'referencegrants', true, true),
  kind(`${GW}/v1alpha3`, 'BackendTLSPolicy', 'backendtlspolicies', true, true),
  kind('v1', 'Namespace', 'namespaces', false, false),
  kind('v1', 'Service', 'services', true, false),
  kind('v1', 'Secret', 'secrets', true, false),
  kind('v1', 'ConfigMap', 'configmaps', true, false),
  kind('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true, false),
  kind('multicluster.x-k8s.io/v1alpha1', 'ServiceImport', 'serviceimports', true, true),
  kind(EG, 'EnvoyProxy', 'envoyproxies', true, true),
  kind(EG, 'Backend', 'backends', true, true),
  kind(EG, 'ClientTrafficPolicy', 'clienttrafficpolicies', true, true),
  kind(EG, 'BackendTrafficPolicy', 'backendtrafficpolicies', true, true),
  kind(EG, 'SecurityPolicy', 'securitypolicies', true, true),
  kind(EG, 'EnvoyExtensionPolicy', 'envoyextensionpolicies', true, true),
  kind(EG, 'EnvoyPatchPolicy', 'envoypatchpolicies', true, true),
  kind(EG, 'HTTPRouteFilter', 'httproutefilters', true, true),
  // The Envoy fleets' Deployments, for Gateway Programmed (available replicas).
  {
    ...kind('apps/v1', 'Deployment', 'deployments', true, false),
    labelSelector: 'app.kubernetes.io/managed-by=envoy-gateway',
  },
];

export const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
export const POLICY_KINDS = new Set([
  'ClientTrafficPolicy',
  'BackendTrafficPolicy',
  'SecurityPolicy',
  'EnvoyExtensionPolicy',
  'EnvoyPatchPolicy',
  'BackendTLSPolicy',
]);

export function collectionPath(k: WatchedKind): string {
  return `/${k.apiVersion.includes('/') ? 'apis' : 'api'}/${k.apiVersion}/${k.plural}`;
}
