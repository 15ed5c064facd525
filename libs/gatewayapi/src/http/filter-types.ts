/**
 * HTTPRoute filters as loaded (validated and defaulted), and Envoy Gateway's HTTPRouteFilter resource, which an
 * HTTPRoute reaches through an `ExtensionRef` filter.
 */
import type { ObjectMeta } from '../resources.ts';

export interface HTTPHeader {
  readonly name: string;
  readonly value: string;
}

/** RequestHeaderModifier / ResponseHeaderModifier. Header names compare case-insensitively. */
export interface HeaderModifier {
  readonly set: readonly HTTPHeader[];
  readonly add: readonly HTTPHeader[];
  readonly remove: readonly string[];
}

export type PathModifier =
  | { readonly type: 'ReplaceFullPath'; readonly value: string }
  | { readonly type: 'ReplacePrefixMatch'; readonly value: string };

export type RedirectStatusCode = 301 | 302 | 303 | 307 | 308;

export interface RequestRedirect {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly path?: PathModifier;
  readonly port?: number;
  readonly statusCode: RedirectStatusCode;
}

export interface URLRewrite {
  readonly hostname?: string;
  readonly path?: PathModifier;
}

/** The share of requests mirrored, as a fraction. */
export interface MirrorFraction {
  readonly numerator: number;
  readonly denominator: number;
}

export interface RequestMirror {
  readonly backendRef: BackendObjectReference;
  /** Absent: every request is mirrored. */
  readonly fraction?: MirrorFraction;
}

/** The CORS filter, defaulted (`maxAge` 5 s; SecurityPolicy's cors may leave it out). `*` in a list stands alone (CEL). */
export interface CORSFilter {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Seconds. */
  readonly maxAge?: number;
}

export interface BackendObjectReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** As written; absent means the route's namespace. */
  readonly namespace?: string;
  readonly port?: number;
}

export interface LocalObjectReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export type HTTPRouteFilter =
  | { readonly type: 'RequestHeaderModifier'; readonly requestHeaderModifier: HeaderModifier }
  | { readonly type: 'ResponseHeaderModifier'; readonly responseHeaderModifier: HeaderModifier }
  | { readonly type: 'RequestRedirect'; readonly requestRedirect: RequestRedirect }
  | { readonly type: 'URLRewrite'; readonly urlRewrite: URLRewrite }
  | { readonly type: 'RequestMirror'; readonly requestMirror: RequestMirror }
  | { readonly type: 'ExtensionRef'; readonly extensionRef: LocalObjectReference }
  | { readonly type: 'CORS'; readonly cors: CORSFilter };

export type HTTPRouteFilterType = HTTPRouteFilter['type'];

/** gateway.envoyproxy.io/v1alpha1 HTTPRouteFilter: the parts this implementation translates. */
export interface HTTPRouteFilterResource {
  readonly kind: 'HTTPRouteFilter';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly urlRewrite?: {
      /** Host from a request header, or the backend's own hostname. */
      readonly hostname?: { readonly type: 'Header'; readonly header: string } | { readonly type: 'Backend' };
      readonly path?: { readonly pattern: string; readonly substitution: string };
    };
    readonly directResponse?: {
      readonly statusCode: number;
      readonly contentType?: string;
      readonly body?: string;
    };
    /** Fields that are valid but not translated (e.g. `credentialInjection`). */
    readonly unimplementedFields: readonly string[];
  };
}
