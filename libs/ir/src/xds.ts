/**
 * xDS IR: what one Envoy fleet (one IR key) must serve. Produced by libs/gatewayapi, consumed by libs/xds.
 * Plain readonly data so it survives JSON round trips over the bus unchanged.
 */
import type {
  CORS,
  HeaderOperations,
  Mirror,
  QueryParamMatch,
  Redirect,
  RouteRetry,
  RouteTimeouts,
  URLRewrite,
} from './http-features.ts';

import type { ClientTrafficSettings } from './client-traffic.ts';
import type { TCPListener, UDPListener } from './l4.ts';
import type { RouteRateLimit } from './ratelimit.ts';
import type { RouteSecurity } from './security.ts';
import type { TLSCertificate, TLSTerminate } from './tls.ts';

export interface XdsIR {
  readonly http: readonly HTTPListener[];
  /** Absent when the fleet has none, so HTTP-only IR stays as it was. */
  readonly tcp?: readonly TCPListener[];
  readonly udp?: readonly UDPListener[];
  /** The certificate Envoy presents to backends it speaks TLS to (Gateway `spec.tls.backend`). */
  readonly backendClientCertificate?: TLSCertificate;
}

/** Where the IR came from, so Envoy resources can point back at Gateway API objects. */
export interface SourceMetadata {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
}

export interface HTTPListener {
  /** `<namespace>/<gateway>/<listener>`; also the Envoy listener and route configuration name. */
  readonly name: string;
  readonly address: string;
  /** Port Envoy binds (the container port). */
  readonly port: number;
  /** The Gateway listener port as the user wrote it. */
  readonly externalPort: number;
  /** Hostnames this listener answers; `*` when the listener has none. */
  readonly hostnames: readonly string[];
  /** HTTPS: TLS is terminated with these certificates, and the listener is chosen by SNI among its port's. */
  readonly tls?: TLSTerminate;
  /** GRPCRoutes attach here: Envoy also answers gRPC-Web and keeps gRPC stats, as Envoy Gateway does. */
  readonly grpc?: true;
  /** A ClientTrafficPolicy's settings; plain HTTP listeners sharing a port all carry the same. */
  readonly clientTraffic?: ClientTrafficSettings;
  readonly routes: readonly HTTPRoute[];
  readonly metadata: SourceMetadata;
}

export type StringMatch =
  | { readonly type: 'Exact'; readonly value: string }
  | { readonly type: 'Prefix'; readonly value: string }
  | { readonly type: 'RegularExpression'; readonly value: string };

export interface HeaderMatch {
  readonly name: string;
  readonly match: StringMatch;
}

export interface HTTPRoute {
  /** `httproute/<ns>/<name>/rule/<i>/match/<j>/<hostname with . as _>` */
  readonly name: string;
  /** The virtual host hostname this route belongs to (`*` for any). */
  readonly hostname: string;
  readonly pathMatch: StringMatch;
  readonly headerMatches: readonly HeaderMatch[];
  readonly queryParamMatches?: readonly QueryParamMatch[];
  readonly action: RouteAction;
  /** Changes to the request before it is forwarded (or mirrored). */
  readonly requestHeaders?: HeaderOperations;
  readonly responseHeaders?: HeaderOperations;
  readonly urlRewrite?: URLRewrite;
  readonly mirrors?: readonly Mirror[];
  /** Envoy answers CORS preflights and adds the Access-Control-* headers (HTTPRoute `CORS` filter). */
  readonly cors?: CORS;
  readonly timeouts?: RouteTimeouts;
  readonly retry?: RouteRetry;
  readonly rateLimit?: RouteRateLimit;
  /** Authentication the route requires (from the SecurityPolicy that applies to it). */
  readonly security?: RouteSecurity;
  readonly metadata: SourceMetadata;
}

export type RouteAction =
  | { readonly type: 'Forward'; readonly destination: RouteDestination }
  | {
      readonly type: 'DirectResponse';
      readonly statusCode: number;
      readonly body?: string;
      readonly contentType?: string;
    }
  | { readonly type: 'Redirect'; readonly redirect: Redirect };

export interface RouteDestination {
  /** `httproute/<ns>/<name>/rule/<i>`; becomes the Envoy cluster name. */
  readonly name: string;
  readonly settings: readonly DestinationSetting[];
}

/** One backendRef of a rule. */
export interface DestinationSetting {
  /** `<destination>/backend/<k>` */
  readonly name: string;
  readonly weight: number;
  readonly addressType: AddressType;
  readonly endpoints: readonly DestinationEndpoint[];
  /** The protocol spoken to the backend: HTTP/2 without TLS (h2c) for gRPC; absent means HTTP/1.1. */
  readonly protocol?: 'HTTP2';
  /** Per-backendRef header filters: applied only when this backend is the one chosen. */
  readonly requestHeaders?: HeaderOperations;
  readonly responseHeaders?: HeaderOperations;
  /** TLS to the backend (a BackendTLSPolicy on its Service): absent means plaintext. */
  readonly tls?: UpstreamTLS;
  /**
   * The backendRef could not be resolved. The setting keeps its weight and has no endpoints, so Envoy answers
   * that share of the rule's traffic with 500 (as Envoy Gateway does).
   */
  readonly invalid?: boolean;
}

export type AddressType = 'IP' | 'FQDN';

/** How Envoy speaks TLS to a backend and checks its certificate. */
export interface UpstreamTLS {
  /** Sent as SNI; also the name the certificate must carry unless `subjectAltNames` says otherwise. */
  readonly sni: string;
  /** PEM CA certificates the backend's chain must lead to, or the system's trust store. */
  readonly trust: { readonly type: 'Inline'; readonly pem: string } | { readonly type: 'System' };
  /** Names one of which the certificate must carry; empty: `sni`. */
  readonly subjectAltNames: readonly SubjectAltName[];
}

export type SubjectAltName =
  { readonly type: 'Hostname'; readonly hostname: string } | { readonly type: 'URI'; readonly uri: string };

export interface DestinationEndpoint {
  readonly host: string;
  readonly port: number;
}
