import { anyType, type ProtoJson } from './encode.ts';
import { HTTP_CONNECTION_MANAGER, ROUTER } from './extension-types.ts';
import { BUFFER_LIMIT_BYTES } from './limits.ts';
import type { PortGroup } from './port-groups.ts';

/** One Envoy listener per port; plain HTTP shares the default filter chain, whose routes come over RDS. */
export function httpListener(group: PortGroup): ProtoJson {
  return {
    name: group.name,
    address: { socketAddress: { address: group.address, portValue: group.port } },
    defaultFilterChain: {
      name: group.name,
      filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: httpConnectionManager(group) }],
    },
    perConnectionBufferLimitBytes: BUFFER_LIMIT_BYTES,
  };
}

/** Envoy Gateway's HTTP defaults: client address from the connection, normalised paths, no x-envoy-* headers. */
function httpConnectionManager(group: PortGroup): ProtoJson {
  return {
    '@type': anyType(HTTP_CONNECTION_MANAGER),
    statPrefix: `http-${group.port}`,
    rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName: group.name },
    httpFilters: [
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
