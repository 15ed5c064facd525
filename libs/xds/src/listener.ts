import { anyType, type ProtoJson } from './encode.ts';
import type { PortGroup } from './port-groups.ts';

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'envoy.extensions.filters.http.router.v3.Router';

/** Envoy Gateway's per-connection buffer limit, for listeners and clusters alike. */
export const BUFFER_LIMIT_BYTES = 32768;

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
    '@type': anyType(HCM),
    statPrefix: `http-${group.port}`,
    rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName: group.name },
    httpFilters: [{ name: 'envoy.filters.http.router', typedConfig: { '@type': anyType(ROUTER), suppressEnvoyHeaders: true } }],
    commonHttpProtocolOptions: { headersWithUnderscoresAction: 'REJECT_REQUEST' },
    http2ProtocolOptions: {
      maxConcurrentStreams: 100,
      initialStreamWindowSize: 65536,
      initialConnectionWindowSize: 1048576,
    },
    serverHeaderTransformation: 'PASS_THROUGH',
    useRemoteAddress: true,
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT',
  };
}
