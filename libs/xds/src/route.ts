import type { HeaderValue, HTTPListener, HTTPRoute, RouteAction, SourceMetadata, StringMatch } from '@eg/ir';
import { destinationClusters } from './destination.ts';
import { forwardFeatures, headerMutations, redirectAction, routeHeaderMutations } from './route-features.ts';
import type { ProtoJson } from './encode.ts';
import { sourceMetadata } from './metadata.ts';
import { corsPerRoute } from './cors.ts';
import { jwtPerRoute } from './jwt.ts';
import { localRateLimitPerRoute, routeRateLimits } from './ratelimit.ts';

interface VirtualHost {
  readonly name: string;
  readonly metadata: SourceMetadata;
  /** The Gateway listener port (the same for every listener sharing this route configuration). */
  readonly listenerPort: number;
  readonly listenerScheme: 'http' | 'https';
  readonly routes: HTTPRoute[];
}

/**
 * The routes of plain HTTP listeners sharing a port (or of one HTTPS listener): a virtual host per hostname,
 * routes in IR order (the IR is already in Gateway API precedence). Listeners sharing a port share one
 * virtual host per hostname, as Envoy requires unique domains.
 */
export function routeConfiguration(name: string, listeners: readonly HTTPListener[]): ProtoJson {
  const hosts = new Map<string, VirtualHost>();
  for (const listener of listeners) {
    for (const route of listener.routes) {
      const host = hosts.get(route.hostname) ?? newVirtualHost(hosts, listener, route.hostname);
      host.routes.push(route);
    }
  }
  return {
    name,
    virtualHosts: [...hosts.entries()].map(([hostname, host]) => ({
      name: host.name,
      domains: [hostname],
      routes: host.routes.map((r) => envoyRoute(r, host)),
      metadata: sourceMetadata(host.metadata),
    })),
    // Host headers carry the port (`example.com:8080`); Gateway API hostnames never do.
    ignorePortInHostMatching: true,
  };
}

function newVirtualHost(hosts: Map<string, VirtualHost>, listener: HTTPListener, hostname: string): VirtualHost {
  // Dots would split Envoy's stat names, as in Envoy Gateway.
  const host: VirtualHost = {
    name: `${listener.name}/${hostname.replaceAll('.', '_')}`,
    metadata: listener.metadata,
    listenerPort: listener.externalPort,
    listenerScheme: listener.tls ? 'https' : 'http',
    routes: [],
  };
  hosts.set(hostname, host);
  return host;
}

function envoyRoute(route: HTTPRoute, host: VirtualHost): ProtoJson {
  const headers = route.headerMatches.map((h) => ({ name: h.name, stringMatch: stringMatch(h.match) }));
  const queryParameters = (route.queryParamMatches ?? []).map((q) => ({
    name: q.name,
    stringMatch: stringMatch(q.match),
  }));
  const perFilter = { ...corsPerRoute(route), ...jwtPerRoute(route), ...localRateLimitPerRoute(route) };
  return {
    name: route.name,
    match: {
      ...pathMatch(route.pathMatch),
      ...(headers.length > 0 && { headers }),
      ...(queryParameters.length > 0 && { queryParameters }),
    },
    ...routeAction(route, host),
    ...routeHeaderMutations(route, directResponseHeaders(route.action)),
    ...(Object.keys(perFilter).length > 0 && { typedPerFilterConfig: perFilter }),
    metadata: sourceMetadata(route.metadata),
  };
}

/** A direct response's content type is a response header set on the route. */
function directResponseHeaders(action: RouteAction): HeaderValue[] {
  return action.type === 'DirectResponse' && action.contentType !== undefined
    ? [{ name: 'content-type', value: action.contentType }]
    : [];
}

function pathMatch(match: StringMatch): ProtoJson {
  switch (match.type) {
    case 'Exact':
      return { path: match.value };
    case 'Prefix': {
      // Gateway API prefixes match whole path segments: `/foo` matches `/foo/bar`, not `/foobar`.
      const prefix = match.value.replace(/\/+$/, '');
      return prefix === '' ? { prefix: '/' } : { pathSeparatedPrefix: prefix };
    }
    case 'RegularExpression':
      return { safeRegex: { regex: match.value } };
  }
}

function stringMatch(match: StringMatch): ProtoJson {
  switch (match.type) {
    case 'Exact':
      return { exact: match.value };
    case 'Prefix':
      return { prefix: match.value };
    case 'RegularExpression':
      return { safeRegex: { regex: match.value } };
  }
}

function routeAction(route: HTTPRoute, host: VirtualHost): ProtoJson {
  const action: RouteAction = route.action;
  if (action.type === 'DirectResponse') {
    const body = action.body === undefined ? {} : { body: { inlineString: action.body } };
    return { directResponse: { status: action.statusCode, ...body } };
  }
  if (action.type === 'Redirect')
    return { redirect: redirectAction(action.redirect, host.listenerPort, host.listenerScheme) };
  const clusters = destinationClusters(action.destination);
  const weighted = clusters.filter((c) => c.setting.weight > 0);
  if (weighted.length === 0) return { directResponse: { status: 500 } };
  const [single] = clusters;
  // Per-backend header filters live on weighted cluster entries, so they apply only to the backend chosen.
  const backendFilters = clusters.some((c) => c.setting.requestHeaders || c.setting.responseHeaders);
  const target =
    clusters.length === 1 && single && !backendFilters
      ? { cluster: single.name }
      : {
          weightedClusters: {
            clusters: weighted.map((c) => ({
              name: c.name,
              weight: c.setting.weight,
              ...headerMutations(c.setting.requestHeaders, 'request'),
              ...headerMutations(c.setting.responseHeaders, 'response'),
            })),
          },
        };
  // Unresolved backendRefs have no cluster; their share of requests is answered with 500, as Gateway API asks.
  const invalid = clusters.some((c) => c.setting.invalid);
  const rateLimits = routeRateLimits(route);
  return {
    route: {
      ...target,
      ...(invalid && { clusterNotFoundResponseCode: 'INTERNAL_SERVER_ERROR' }),
      ...forwardFeatures(route),
      ...(rateLimits.length > 0 && { rateLimits }),
      // WebSocket upgrades need HTTP/1.1 to the backend; gRPC routes (HTTP/2 backends) go without, as in Envoy Gateway.
      ...(!weighted.every((c) => c.setting.protocol === 'HTTP2') && { upgradeConfigs: [{ upgradeType: 'websocket' }] }),
    },
  };
}
