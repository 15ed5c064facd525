import type { CORS, CORSOrigin, HTTPListener, HTTPRoute } from '@eg/ir';
import { anyType, type ProtoJson } from './encode.ts';
import { CORS_FILTER_CONFIG, CORS_POLICY } from './extension-types.ts';

const CORS_FILTER = 'envoy.filters.http.cors';

/**
 * Envoy's CORS filter, present when some route of the listeners has a CORS policy. It comes first in the chain
 * (as in Envoy Gateway) so preflights are answered before authentication or rate limits see them.
 */
export function corsFilter(listeners: readonly HTTPListener[]): ProtoJson | undefined {
  if (!listeners.some((l) => l.routes.some((r) => r.cors))) return undefined;
  return { name: CORS_FILTER, typedConfig: { '@type': anyType(CORS_FILTER_CONFIG) } };
}

/**
 * The route's CorsPolicy. Envoy itself echoes the request's method and headers for a `*` when credentials are
 * allowed (a literal `*` would not do then), which is what Gateway API asks.
 */
export function corsPerRoute(route: HTTPRoute): ProtoJson | undefined {
  return route.cors && { [CORS_FILTER]: corsPolicy(route.cors) };
}

function corsPolicy(cors: CORS): ProtoJson {
  return {
    '@type': anyType(CORS_POLICY),
    allowOriginStringMatch: cors.allowOrigins.map(originMatch),
    ...(cors.allowMethods.length > 0 && { allowMethods: cors.allowMethods.join(', ') }),
    ...(cors.allowHeaders.length > 0 && { allowHeaders: cors.allowHeaders.join(', ') }),
    ...(cors.exposeHeaders.length > 0 && { exposeHeaders: cors.exposeHeaders.join(', ') }),
    ...(cors.maxAgeSeconds !== undefined && { maxAge: String(cors.maxAgeSeconds) }),
    ...(cors.allowCredentials && { allowCredentials: true }),
    // A preflight from an origin that is not allowed is answered here too, without CORS headers, instead of
    // reaching a backend that the CORS filter is meant to stand in front of.
    forwardNotMatchingPreflights: false,
  };
}

function originMatch(origin: CORSOrigin): ProtoJson {
  if (origin.type === 'Exact') return { exact: origin.origin };
  if (origin.pattern === '*') return { safeRegex: { regex: '.*' } };
  // `*` covers one or more host labels (or the whole host), never the scheme, a port or a path.
  const regex = origin.pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/:]+');
  return { safeRegex: { regex } };
}
