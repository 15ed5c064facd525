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

/**
 * Retries of a failed attempt: always on connection failures and resets (nothing reached the backend, or its
 * answer was cut off), and on the listed response status codes.
 */
export interface RouteRetry {
  readonly statusCodes: readonly number[];
  /** Retries after the first attempt; absent: Envoy's default (1). */
  readonly numRetries?: number;
  /** Base of the exponential back-off between attempts, milliseconds; absent: Envoy's default (25 ms). */
  readonly backoffMs?: number;
}

/**
 * Cross-origin resource sharing, answered by Envoy: preflights end at the gateway, and allowed origins get the
 * Access-Control-* headers on the actual response.
 */
export interface CORS {
  /** Empty: no origin is allowed (requests pass, without CORS headers). */
  readonly allowOrigins: readonly CORSOrigin[];
  /** HTTP methods, or `['*']`. */
  readonly allowMethods: readonly string[];
  /** Header names, or `['*']`. */
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Access-Control-Max-Age; absent: not sent. */
  readonly maxAgeSeconds?: number;
  readonly allowCredentials: boolean;
}

export type CORSOrigin =
  | { readonly type: 'Exact'; readonly origin: string }
  /** `*` stands for one or more characters of the host (`https://*.example.com`), or for any origin alone. */
  | { readonly type: 'Wildcard'; readonly pattern: string };
