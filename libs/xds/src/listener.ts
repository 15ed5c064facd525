import type { ClientTrafficSettings, HTTPListener } from '@eg/ir';
import { anyType, protoDuration, type ProtoJson } from './encode.ts';
import {
  GRPC_STATS,
  GRPC_WEB,
  HEALTH_CHECK,
  HTTP_CONNECTION_MANAGER,
  ROUTER,
  TLS_INSPECTOR,
} from './extension-types.ts';
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
  // Plain HTTP listeners sharing a port carry the same settings (see attachClientTrafficPolicies).
  const settings = listeners[0]?.clientTraffic ?? {};
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typedConfig: httpConnectionManager(routeConfigName, statPrefix, httpFilters(listeners, rateLimitService), settings),
  };
}

/**
 * The HTTP filters before the router, in Envoy Gateway's order: the health check (answered before anything
 * else), CORS, authentication, rate limits, then (where GRPCRoutes attach) gRPC-Web, which lets browsers call
 * them, and per-method gRPC stats.
 */
function httpFilters(listeners: readonly HTTPListener[], rateLimitService: RateLimitServiceOptions): ProtoJson[] {
  const healthCheckPath = listeners[0]?.clientTraffic?.healthCheckPath;
  const cors = corsFilter(listeners);
  const jwt = jwtAuthnFilter(listeners);
  return [
    ...(healthCheckPath !== undefined ? [healthCheckFilter(healthCheckPath)] : []),
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

/** Envoy answers `path` itself: 200 while serving, 503 once it drains, so a load balancer moves away in time. */
function healthCheckFilter(path: string): ProtoJson {
  return {
    name: 'envoy.filters.http.health_check',
    typedConfig: {
      '@type': anyType(HEALTH_CHECK),
      passThroughMode: false,
      headers: [{ name: ':path', stringMatch: { exact: path } }],
    },
  };
}

const UNDERSCORES_ACTION = { Allow: 'ALLOW', RejectRequest: 'REJECT_REQUEST', DropHeader: 'DROP_HEADER' } as const;
const ESCAPED_SLASHES_ACTION = {
  KeepUnchanged: 'KEEP_UNCHANGED',
  RejectRequest: 'REJECT_REQUEST',
  UnescapeAndRedirect: 'UNESCAPE_AND_REDIRECT',
  UnescapeAndForward: 'UNESCAPE_AND_FORWARD',
} as const;
/** `requestID` as Envoy's pair of switches: keep the client's x-request-id, make one when there is none. */
const REQUEST_ID = {
  PreserveOrGenerate: { preserveExternalRequestId: true },
  Preserve: { preserveExternalRequestId: true, generateRequestId: false },
  Generate: {},
  Disable: { generateRequestId: false },
} as const;

/**
 * Envoy Gateway's HTTP defaults, changed where a ClientTrafficPolicy says: client address from the connection,
 * normalised paths, header names with underscores refused, no x-envoy-* headers.
 */
function httpConnectionManager(
  routeConfigName: string,
  statPrefix: string,
  filters: readonly ProtoJson[],
  settings: ClientTrafficSettings,
): ProtoJson {
  return {
    '@type': anyType(HTTP_CONNECTION_MANAGER),
    statPrefix,
    rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName },
    httpFilters: [
      ...filters,
      {
        name: 'envoy.filters.http.router',
        typedConfig: { '@type': anyType(ROUTER), suppressEnvoyHeaders: !settings.enableEnvoyHeaders },
      },
    ],
    commonHttpProtocolOptions: {
      headersWithUnderscoresAction: UNDERSCORES_ACTION[settings.withUnderscoresAction ?? 'RejectRequest'],
      ...(settings.idleTimeoutMs !== undefined && { idleTimeout: protoDuration(settings.idleTimeoutMs) }),
    },
    http2ProtocolOptions: {
      maxConcurrentStreams: 100,
      initialStreamWindowSize: 65536,
      initialConnectionWindowSize: 1048576,
    },
    serverHeaderTransformation: 'PASS_THROUGH',
    // Hostnames never carry ports in Gateway API, and redirects must not leak the client's Host port.
    stripAnyHostPort: true,
    useRemoteAddress: true,
    ...(settings.xffNumTrustedHops !== undefined && { xffNumTrustedHops: settings.xffNumTrustedHops }),
    ...REQUEST_ID[settings.requestID ?? 'Generate'],
    normalizePath: true,
    mergeSlashes: settings.mergeSlashes ?? true,
    pathWithEscapedSlashesAction: ESCAPED_SLASHES_ACTION[settings.escapedSlashesAction ?? 'UnescapeAndRedirect'],
    ...(settings.requestReceivedTimeoutMs !== undefined && {
      requestTimeout: protoDuration(settings.requestReceivedTimeoutMs),
    }),
    ...(settings.streamIdleTimeoutMs !== undefined && {
      streamIdleTimeout: protoDuration(settings.streamIdleTimeoutMs),
    }),
  };
}
