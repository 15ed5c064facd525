/**
 * What an IR HTTP route does besides matching and forwarding: header changes, rewrites, redirects, mirrors,
 * timeouts. Produced from HTTPRoute filters (and Envoy Gateway's HTTPRouteFilter) by libs/gatewayapi.
 */
import type { RouteDestination, StringMatch } from './xds.ts';

export interface HeaderValue {
  readonly name: string;
  readonly value: string;
}

/** Header changes, applied as: remove, then set (overwrite), then add (append). */
export interface HeaderOperations {
  readonly set: readonly HeaderValue[];
  readonly add: readonly HeaderValue[];
  readonly remove: readonly string[];
}

export interface QueryParamMatch {
  readonly name: string;
  readonly match: StringMatch;
}

export type PathRewrite =
  | { readonly type: 'ReplaceFullPath'; readonly value: string }
  /** Replace the matched path prefix `prefix` (a whole-segment prefix) with `value`. */
  | { readonly type: 'ReplacePrefix'; readonly prefix: string; readonly value: string }
  | { readonly type: 'RegexReplace'; readonly pattern: string; readonly substitution: string };

export type RedirectStatusCode = 301 | 302 | 303 | 307 | 308;

export interface Redirect {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  /** Absent: the well-known port of `scheme` when it is set, else the listener's port. */
  readonly port?: number;
  readonly path?: PathRewrite;
  readonly statusCode: RedirectStatusCode;
}

export type HostRewrite =
  | { readonly type: 'Literal'; readonly hostname: string }
  | { readonly type: 'Header'; readonly header: string }
  /** The hostname of the chosen backend endpoint. */
  | { readonly type: 'Backend' };

export interface URLRewrite {
  readonly host?: HostRewrite;
  readonly path?: PathRewrite;
}

export interface Mirror {
  readonly destination: RouteDestination;
  /** Absent: every request. */
  readonly fraction?: { readonly numerator: number; readonly denominator: number };
}

/** Milliseconds; 0 disables. */
export interface RouteTimeouts {
  /** The whole request, retries included. */
  readonly request?: number;
  /** One attempt to the backend. */
  readonly backendRequest?: number;
}
