import type { HTTPListener } from '@eg/ir';
import { anyType, type ProtoJson } from './encode.ts';
import { GRPC_STATS, GRPC_WEB, HTTP_CONNECTION_MANAGER, ROUTER, TLS_INSPECTOR } from './extension-types.ts';
import { BUFFER_LIMIT_BYTES } from './limits.ts';
import { plainRouteConfigName, type PortGroup } from './port-groups.ts';
import { corsFilter } from './cors.ts';
import { jwtAuthnFilter } from './jwt.ts';
import { rateLimitFilters, type RateLimitServiceOptions } from './ratelimit.ts';
import { downstreamTransportSocket } from './secrets.ts';
import { tcpProxyFilter } from './tcp-proxy.ts';

/**
 * One Envoy listener per TCP port. Plain HTTP (or the plain TCP route) takes the default filter chain; HTTPS
 * listeners and TLSRoutes get a filter chain each, chosen by the client's SNI. Envoy rejects a
 * whole listener when two chains match the same names, so a name already taken is dropped from later chains.
 */
export function portListener(group: PortGroup, rateLimitService: RateLimitServiceOptions): ProtoJson | undefined {
  const claimed = new Set<string>();
  const filterChains: ProtoJson[] = [];
  const sniChain = (name: string, hostnames: readonly string[], rest: ProtoJson): void => {
    const any = hostnames.includes('*');
    const names = hostnames.filter((h) => h !== '*' && !claimed.has(h));
    if (any ? claimed.has('*') : names.length === 0) return;
    for (const h of any ? ['*'] : names) claimed.add(h);
    filterChains.push({ name, ...(!any && { filterChainMatch: { serverNames: names } }), ...rest });
  };
  for (const listener of group.https) {
    if (!listener.tls) continue;
    sniChain(listener.name, listener.hostnames, {
      filters: [httpConnectionManagerFilter(listener.name, `https-${listener.port}`, [listener], rateLimitService)],
      transportSocket: downstreamTransportSocket(listener.tls, ['h2', 'http/1.1']),
    });
  }
  let plainTCP: ProtoJson | undefined;
  for (const listener of group.tcp) {
    for (const route of listener.routes) {
      const filters = [tcpProxyFilter(route, `tcp-${listener.port}`)];
      // TLS Terminate: Envoy unwraps TLS before the TCP proxy, for routes chosen by SNI and the rest alike.
      const terminate = listener.tls && { transportSocket: downstreamTransportSocket(listener.tls) };
      // A route attached to two listeners of the port must still give each chain its own name.
      if (route.snis) sniChain(`${listener.name}/${route.name}`, route.snis, { filters, ...terminate });
      else plainTCP ??= { name: listener.name, filters, ...terminate };
    }
  }
  const plainRoutes = plainRouteConfigName(group);
  const defaultFilterChain =
    plainRoutes !== undefined
      ? {
          name: plainRoutes,
          filters: [httpConnectionManagerFilter(plainRoutes, `http-${group.port}`, group.http, rateLimitService)],
        }
      : plainTCP;
  // A listener with nothing to serve would be rejected by Envoy; a TCP listener without routes is left out.
  if (!defaultFilterChain && filterChains.length === 0) return undefined;
  return {
    name: group.name,
    address: { socketAddress: { address: group.address, portValue: group.port } },
    ...(filterChains.length > 0 && {
      listenerFilters: [
        { name: 'envoy.filters.listener.tls_inspector', typedConfig: { '@type': anyType(TLS_INSPECTOR) } },
      ],
      filterChains,
    }),
    ...(defaultFilterChain && { defaultFilterChain }),
    perConnectionBufferLimitBytes: BUFFER_LIMIT_BYTES,
  };
}

/** Listeners whose route configurations come over RDS: the plain HTTP set of a port and each HTTPS listener. */
export function routeConfigurations(group: PortGroup): { name: string; listeners: readonly HTTPListener[] }[] {
  const plain = plainRouteConfigName(group);
  return [
    ...(plain !== undefined ? [{ name: plain, listeners: group.http }] : []),
    ...group.https.filter((l) => l.tls).map((l) => ({ name: l.name, listeners: [l] })),
  ];
}

/** The connection manager of `listeners` (the plain HTTP listeners of a port, or one HTTPS listener). */
function httpConnectionManagerFilter(
  routeConfigName: string,
  statPrefix: string,
  listeners: readonly HTTPListener[],
  rateLimitService: RateLimitServiceOptions,
): ProtoJson {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: httpConnectionManager(routeConfigName, statPrefix, httpFilters(listeners, rateLimitService)),
  };
}

/**
 * The HTTP filters before the router, in Envoy Gateway's order: CORS, authentication, rate limits, then (where
 * GRPCRoutes attach) gRPC-Web, which lets browsers call them, and per-method gRPC stats.
 */
function httpFilters(listeners: readonly HTTPListener[], rateLimitService: RateLimitServiceOptions): ProtoJson[] {
  const cors = corsFilter(listeners);
  const jwt = jwtAuthnFilter(listeners);
  return [
    ...(cors ? [cors] : []),
    ...(jwt ? [jwt] : []),
    ...rateLimitFilters(listeners, rateLimitService),
    ...grpcFilters(listeners),
  ];
}

function grpcFilters(listeners: readonly HTTPListener[]): ProtoJson[] {
  if (!listeners.some((l) => l.grpc)) return [];
  return [
    { name: 'envoy.filters.http.grpc_web', typedConfig: { '@type': anyType(GRPC_WEB) } },
    {
      name: 'envoy.filters.http.grpc_stats',
      typedConfig: { '@type': anyType(GRPC_STATS), emitFilterState: true, statsForAllMethods: true },
    },
  ];
}

/** Envoy Gateway's HTTP defaults: client address from the connection, normalised paths, no x-envoy-* headers. */
function httpConnectionManager(routeConfigName: string, statPrefix: string, filters: readonly ProtoJson[]): ProtoJson {
  return {
    '@type': anyType(HTTP_CONNECTION_MANAGER),
    statPrefix,
    rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName },
    httpFilters: [
      ...filters,
      { name: 'envoy.filters.http.router', typedConfig: { '@type': anyType(ROUTER), suppressEnvoyHeaders: true } },
    ],
    commonHttpProtocolOptions: { headersWithUnderscoresAction: 'REJECT_REQUEST' },
    http2ProtocolOptions: {
      maxConcurrentStreams: 100,
      initialStreamWindowSize: 65536,
      initialConnectionWindowSize: 1048576,
    },
    serverHeaderTransformation: 'PASS_THROUGH',
    // Hostnames never carry ports in Gateway API, and redirects must not leak the client's Host port.
    stripAnyHostPort: true,
    useRemoteAddress: true,
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT',
  };
}
