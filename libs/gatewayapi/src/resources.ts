import type { JWTProvider, KubernetesProxyConfig } from '@eg/ir';
/**
 * The resources the translator understands, as validated and defaulted by `loadResources` (the job the
 * Kubernetes API server does with the CRD schemas). Everything here is trusted by the translator.
 */

import type { ClientTrafficSettings, SubjectAltName } from '@eg/ir';
import type {
  BackendObjectReference,
  CORSFilter,
  HTTPRouteFilter,
  HTTPRouteFilterResource,
} from './http/filter-types.ts';
export type * from './http/filter-types.ts';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const ENVOY_GATEWAY_GROUP = 'gateway.envoyproxy.io';
/** The core API group ("" in Kubernetes references). */
export const CORE_GROUP = '';
/** ServiceImport backends (Multi-Cluster Services API). */
export const MULTICLUSTER_GROUP = 'multicluster.x-k8s.io';

export interface ClusterObjectMeta {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `metadata.generation`; 1 when the input has none (a file is the first generation). */
  readonly generation: number;
  /** RFC 3339 text as written; absent in most files. */
  readonly creationTimestamp?: string;
}

export interface ObjectMeta extends ClusterObjectMeta {
  readonly namespace: string;
}

export interface GatewayClass {
  readonly kind: 'GatewayClass';
  readonly metadata: ClusterObjectMeta;
  readonly spec: {
    readonly controllerName: string;
    readonly description?: string;
    readonly parametersRef?: ParametersReference;
  };
}

/** `parametersRef` of a GatewayClass (namespace required for namespaced kinds) or a Gateway's infrastructure. */
export interface ParametersReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Envoy Gateway's EnvoyProxy, reduced to what the fleet's infrastructure uses. */
export interface EnvoyProxy {
  readonly kind: 'EnvoyProxy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly kubernetes: KubernetesProxyConfig;
    /** On a Gateway's EnvoyProxy: merge onto the GatewayClass's instead of replacing it. */
    readonly mergeType?: 'StrategicMerge' | 'JSONMerge';
  };
}

export interface Gateway {
  readonly kind: 'Gateway';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly gatewayClassName: string;
    readonly listeners: readonly Listener[];
    readonly infrastructure?: {
      readonly parametersRef?: ParametersReference;
      readonly labels?: Readonly<Record<string, string>>;
      readonly annotations?: Readonly<Record<string, string>>;
    };
    /** Requested addresses; empty when the implementation picks them. */
    readonly addresses: readonly GatewayAddress[];
    /** `spec.tls.frontend`: client certificate validation on the Gateway's TLS listeners. */
    readonly frontendValidation?: FrontendValidation;
    /** `spec.tls.backend.clientCertificateRef`: what Envoy presents to backends it speaks TLS to. */
    readonly backendClientCertificateRef?: SecretObjectReference;
  };
}

/** Validation for every TLS port (`default`), and per port (`perPort`, which wins for its port). */
export interface FrontendValidation {
  readonly default?: ClientCertificateValidation;
  readonly perPort: readonly { readonly port: number; readonly validation?: ClientCertificateValidation }[];
}

export interface ClientCertificateValidation {
  readonly caCertificateRefs: readonly SecretObjectReference[];
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
}

/** `type` is `IPAddress` (default), `Hostname`, `NamedAddress` or a domain-prefixed type; `value` may be empty. */
export interface GatewayAddress {
  readonly type: string;
  readonly value?: string;
}

export interface Listener {
  readonly name: string;
  readonly hostname?: string;
  readonly port: number;
  /** Any schema-valid protocol; unsupported ones are a status error, not a load error. */
  readonly protocol: string;
  readonly tls?: ListenerTLS;
  readonly allowedRoutes: AllowedRoutes;
}

export type TLSMode = 'Terminate' | 'Passthrough';

export interface ListenerTLS {
  readonly mode: TLSMode;
  readonly certificateRefs: readonly SecretObjectReference[];
  readonly options: Readonly<Record<string, string>>;
}

export interface SecretObjectReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface AllowedRoutes {
  readonly namespaces: RouteNamespaces;
  /** Absent: the kinds the listener's protocol supports. */
  readonly kinds?: readonly RouteGroupKind[];
}

export type RouteNamespaces =
  | { readonly from: 'Same' }
  | { readonly from: 'All' }
  | { readonly from: 'Selector'; readonly selector?: LabelSelector };

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface HTTPRoute {
  readonly kind: 'HTTPRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentReference[];
    readonly hostnames: readonly string[];
    readonly rules: readonly HTTPRouteRule[];
  };
}

export interface ParentReference {
  readonly group: string;
  readonly kind: string;
  /** As written; absent means the route's namespace. */
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface HTTPRouteRule {
  readonly name?: string;
  readonly matches: readonly HTTPRouteMatch[];
  readonly filters: readonly HTTPRouteFilter[];
  readonly backendRefs: readonly HTTPBackendRef[];
  readonly timeouts?: RouteTimeouts;
  readonly retry?: RouteRetry;
  /** Rule fields that are valid but not translated yet (`sessionPersistence`). */
  readonly unimplementedFields: readonly string[];
}

/** `retry` (Gateway API experimental channel), `backoff` in milliseconds. */
export interface RouteRetry {
  readonly codes: readonly number[];
  readonly attempts?: number;
  readonly backoff?: number;
}

/** `timeouts`, in milliseconds; 0 disables the timeout. */
export interface RouteTimeouts {
  readonly request?: number;
  readonly backendRequest?: number;
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export type ValueMatchType = 'Exact' | 'RegularExpression';
export type HTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPRouteMatch {
  readonly path: { readonly type: PathMatchType; readonly value: string };
  readonly headers: readonly NameValueMatch[];
  readonly queryParams: readonly NameValueMatch[];
  readonly method?: HTTPMethod;
}

export interface NameValueMatch {
  readonly type: ValueMatchType;
  readonly name: string;
  readonly value: string;
}

/** A backendRef of any route kind: where requests go, and their share. */
export interface BackendRef extends BackendObjectReference {
  readonly weight: number;
}

export interface HTTPBackendRef extends BackendRef {
  readonly filters: readonly HTTPRouteFilter[];
}

/** A gRPC route: HTTP/2 requests to `/<service>/<method>`, matched by method and metadata (headers). */
export interface GRPCRoute {
  readonly kind: 'GRPCRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentReference[];
    readonly hostnames: readonly string[];
    readonly rules: readonly GRPCRouteRule[];
  };
}

/** GRPCRoute filters: the header modifiers, RequestMirror and ExtensionRef (checked by the loader). */
export interface GRPCRouteRule {
  readonly name?: string;
  /** Empty: every gRPC request. */
  readonly matches: readonly GRPCRouteMatch[];
  readonly filters: readonly HTTPRouteFilter[];
  readonly backendRefs: readonly HTTPBackendRef[];
  /** Rule fields that are valid but not translated yet (`sessionPersistence`). */
  readonly unimplementedFields: readonly string[];
}

export interface GRPCRouteMatch {
  readonly method?: GRPCMethodMatch;
  readonly headers: readonly NameValueMatch[];
}

/** At least one of `service` and `method` is set (the loader checks it). */
export interface GRPCMethodMatch {
  readonly type: 'Exact' | 'RegularExpression';
  readonly service?: string;
  readonly method?: string;
}

export interface ReferenceGrant {
  readonly kind: 'ReferenceGrant';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
    readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
  };
}

export type BackendEndpoint =
  | { readonly type: 'IP'; readonly address: string; readonly port: number }
  | { readonly type: 'FQDN'; readonly hostname: string; readonly port: number }
  | { readonly type: 'Unix'; readonly path: string };

export interface Backend {
  readonly kind: 'Backend';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly type: 'Endpoints' | 'DynamicResolver'; readonly endpoints: readonly BackendEndpoint[] };
}

export type ServiceProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol: ServiceProtocol;
  /** What the port speaks; `kubernetes.io/h2c` makes the gateway use HTTP/2 without TLS. */
  readonly appProtocol?: string;
}

export interface Service {
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly ports: readonly ServicePort[] };
}

export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints: readonly {
    readonly addresses: readonly string[];
    /** `conditions.ready`; absent means ready, as Kubernetes defines it. */
    readonly ready?: boolean;
  }[];
  readonly ports: readonly { readonly name?: string; readonly port?: number; readonly protocol: ServiceProtocol }[];
}

/** A rule of a TLSRoute, TCPRoute or UDPRoute: where the connections go. */
export interface L4RouteRule {
  readonly name?: string;
  readonly backendRefs: readonly BackendRef[];
}

/** TLS passthrough: connections picked by SNI among `hostnames`, forwarded still encrypted. */
export interface TLSRoute {
  readonly kind: 'TLSRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentReference[];
    readonly hostnames: readonly string[];
    readonly rules: readonly L4RouteRule[];
  };
}

export interface TCPRoute {
  readonly kind: 'TCPRoute';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly parentRefs: readonly ParentReference[]; readonly rules: readonly L4RouteRule[] };
}

export interface UDPRoute {
  readonly kind: 'UDPRoute';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly parentRefs: readonly ParentReference[]; readonly rules: readonly L4RouteRule[] };
}

export type L4Route = TLSRoute | TCPRoute | UDPRoute;

/** A Secret as loaded: `data` values still base64 (`stringData` is folded in, encoded). */
export interface Secret {
  readonly kind: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
}

/** A ConfigMap: BackendTLSPolicy reads CA certificates from its `ca.crt`. */
export interface ConfigMap {
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Readonly<Record<string, string>>;
}

/** Gateway API BackendTLSPolicy: how the gateway speaks TLS to the Services it targets. */
export interface BackendTLSPolicy {
  readonly kind: 'BackendTLSPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Services (core group), a port of one by `sectionName` (the Service port name). */
    readonly targetRefs: readonly PolicyTargetReference[];
    readonly validation: BackendTLSValidation;
  };
}

export interface BackendTLSValidation {
  /** Exactly one of caCertificateRefs and wellKnownCACertificates (CEL); refs as written, checked on translation. */
  readonly caCertificateRefs: readonly { readonly group: string; readonly kind: string; readonly name: string }[];
  readonly wellKnownCACertificates?: 'System';
  readonly hostname: string;
  readonly subjectAltNames: readonly SubjectAltName[];
}

/** The Secret type listener certificates must have. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** multicluster.x-k8s.io ServiceImport: a Service exported from other clusters. */
export interface ServiceImport {
  readonly kind: 'ServiceImport';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly ports: readonly ServicePort[] };
}

export interface Namespace {
  readonly kind: 'Namespace';
  readonly metadata: ClusterObjectMeta;
}

/** A policy target: `targetRef`/`targetRefs` entries, in the policy's own namespace. */
export interface PolicyTargetReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** A listener of a Gateway, or a rule (by name) of a route. */
  readonly sectionName?: string;
}

/** A rate-limit client selector header: a value match, or Distinct (one counter per value). */
export type RateLimitHeaderSelector =
  | { readonly type: 'Exact' | 'RegularExpression'; readonly name: string; readonly value: string }
  | { readonly type: 'Distinct'; readonly name: string };

export interface RateLimitClientSelector {
  readonly headers: readonly RateLimitHeaderSelector[];
  readonly sourceCIDR?: { readonly type: 'Exact' | 'Distinct'; readonly value: string };
}

export interface RateLimitRuleSpec {
  readonly clientSelectors: readonly RateLimitClientSelector[];
  readonly limit: { readonly requests: number; readonly unit: 'Second' | 'Minute' | 'Hour' | 'Day' };
  readonly shared: boolean;
}

/** `spec.rateLimit`: one of the two kinds (the loader refuses both at once). */
export type RateLimitSpec =
  | { readonly type: 'Global'; readonly rules: readonly RateLimitRuleSpec[] }
  | { readonly type: 'Local'; readonly rules: readonly RateLimitRuleSpec[] };

/** Envoy Gateway's BackendTrafficPolicy; only `rateLimit` is translated so far. */
export interface BackendTrafficPolicy {
  readonly kind: 'BackendTrafficPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly targetRefs: readonly PolicyTargetReference[];
    readonly rateLimit?: RateLimitSpec;
  };
}

/**
 * Envoy Gateway's ClientTrafficPolicy on Gateways and their listeners; the loader reads its translated fields
 * (client IP detection, headers, path normalisation, HTTP timeouts, health check) straight into IR settings.
 */
export interface ClientTrafficPolicy {
  readonly kind: 'ClientTrafficPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly targetRefs: readonly PolicyTargetReference[];
    readonly settings: ClientTrafficSettings;
  };
}

/** `spec.jwt` of a SecurityPolicy; providers are IR-shaped already (the loader checks what the CRD does). */
export interface JWTSpec {
  readonly optional: boolean;
  readonly providers: readonly JWTProvider[];
}

/** Envoy Gateway's SecurityPolicy; `jwt` and `cors` are translated so far. */
export interface SecurityPolicy {
  readonly kind: 'SecurityPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: SecurityPolicySpec;
}

export type SecurityPolicySpec =
  | {
      readonly targetRefs: readonly PolicyTargetReference[];
      readonly jwt?: JWTSpec;
      /** Envoy Gateway's CORS: the HTTPRoute filter's fields, `maxAge` a duration (read here as seconds). */
      readonly cors?: CORSFilter;
    }
  /**
   * A spec the loader refused (its problems, `path: message`), kept with its targets so that they fail closed:
   * dropping it would leave the routes it guards open.
   */
  | { readonly targetRefs: readonly PolicyTargetReference[]; readonly refused: readonly string[] };

/** A resource the loader keeps although it has problems (see SecurityPolicySpec). */
export function failsClosed(resource: Resource): boolean {
  return resource.kind === 'SecurityPolicy' && 'refused' in resource.spec;
}

export type Resource =
  | GatewayClass
  | Gateway
  | HTTPRoute
  | GRPCRoute
  | TLSRoute
  | TCPRoute
  | UDPRoute
  | ReferenceGrant
  | Backend
  | Service
  | EndpointSlice
  | Namespace
  | Secret
  | EnvoyProxy
  | ServiceImport
  | HTTPRouteFilterResource
  | BackendTrafficPolicy
  | ClientTrafficPolicy
  | SecurityPolicy
  | ConfigMap
  | BackendTLSPolicy;

export type ResourceKind = Resource['kind'];

/** The version each kind is written back as (the storage version of the bundled CRDs). */
export const API_VERSION: Readonly<Record<ResourceKind, string>> = {
  GatewayClass: `${GATEWAY_API_GROUP}/v1`,
  Gateway: `${GATEWAY_API_GROUP}/v1`,
  HTTPRoute: `${GATEWAY_API_GROUP}/v1`,
  GRPCRoute: `${GATEWAY_API_GROUP}/v1`,
  ReferenceGrant: `${GATEWAY_API_GROUP}/v1beta1`,
  Backend: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  Service: 'v1',
  Namespace: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  TLSRoute: `${GATEWAY_API_GROUP}/v1`,
  TCPRoute: `${GATEWAY_API_GROUP}/v1`,
  UDPRoute: `${GATEWAY_API_GROUP}/v1`,
  Secret: 'v1',
  EnvoyProxy: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  ServiceImport: `${MULTICLUSTER_GROUP}/v1alpha1`,
  HTTPRouteFilter: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  BackendTrafficPolicy: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  ClientTrafficPolicy: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  SecurityPolicy: `${ENVOY_GATEWAY_GROUP}/v1alpha1`,
  ConfigMap: 'v1',
  BackendTLSPolicy: `${GATEWAY_API_GROUP}/v1alpha3`,
};

/** The input of one translation: every resource of the current revision, in any order. */
export type Resources = readonly Resource[];

/** `Kind namespace/name` (or `Kind name` for cluster-scoped kinds), as messages name a resource. */
export function describeResource(resource: Resource): string {
  const { metadata } = resource;
  return 'namespace' in metadata
    ? `${resource.kind} ${metadata.namespace}/${metadata.name}`
    : `${resource.kind} ${metadata.name}`;
}

/** Label set on EndpointSlices that names their Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Label set on EndpointSlices that names their ServiceImport. */
export const MULTICLUSTER_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
/** Label Kubernetes sets on every Namespace to its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
