import { anyType } from './encode.ts';
import { HTTP_CONNECTION_MANAGER, ROUTER } from './extension-types.ts';

export interface BootstrapOptions {
  /** The IR key (`<namespace>/<gateway>`); the xds-server picks the snapshot by it. */
  readonly nodeCluster: string;
  readonly nodeId: string;
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly adminAddress: string;
  /** 0 lets Envoy pick a free port (read it back with `--admin-address-path`). */
  readonly adminPort: number;
  /** The `/ready` listener on 0.0.0.0; default 19003. 0 picks a free port. */
  readonly readinessPort?: number;
  /** Delta xDS (Envoy Gateway's default) or state-of-the-world. */
  readonly apiType?: 'DELTA_GRPC' | 'GRPC';
  /** Further xds-server replicas; Envoy's one ADS stream goes to any of them and moves on when one dies. */
  readonly moreXdsServers?: readonly XdsServerAddress[];
  /** mTLS to the xds-server; plaintext without it. */
  readonly xdsTls?: XdsTlsFiles;
}

export interface XdsServerAddress {
  readonly host: string;
  readonly port: number;
}

/** Where Envoy finds its SDS files for the xds connection (write them with `xdsSdsFiles`). */
export interface XdsTlsFiles {
  readonly sdsCertificatePath: string;
  readonly sdsTrustedCaPath: string;
}

/** Envoy's client certificate files (certgen's `envoy` folder). */
export interface XdsCertificateFiles {
  readonly certificatePath: string;
  readonly privateKeyPath: string;
  readonly caPath: string;
}

const XDS_CLUSTER = 'xds_cluster';
/** The name on the xds-server's certificate, as in Envoy Gateway. */
export const XDS_SERVER_NAME = 'envoy-gateway';
const SDS_CERTIFICATE = 'xds_certificate';
const SDS_TRUSTED_CA = 'xds_trusted_ca';
const SECRET_TYPE = 'envoy.extensions.transport_sockets.tls.v3.Secret';
export const DEFAULT_READINESS_PORT = 19003;
export const READINESS_PATH = '/ready';

/** Envoy Gateway's default cap, so a flood of connections cannot exhaust the proxy. */
const MAX_DOWNSTREAM_CONNECTIONS = 50000;

/**
 * Envoy's bootstrap: admin, listeners and clusters over ADS from the xds-server, and the readiness listener.
 * Plain JSON (Envoy's own field names) so it can be written to a file or a ConfigMap as is.
 */
export function renderBootstrap(opts: BootstrapOptions): Record<string, unknown> {
  // initial_fetch_timeout 0s: Envoy waits for its first configuration instead of starting empty.
  const viaAds = { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' };
  return {
    node: { id: opts.nodeId, cluster: opts.nodeCluster },
    admin: { address: { socket_address: { address: opts.adminAddress, port_value: opts.adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: opts.apiType ?? 'DELTA_GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
      },
      lds_config: viaAds,
      cds_config: viaAds,
    },
    static_resources: {
      listeners: [readinessListener(opts.readinessPort ?? DEFAULT_READINESS_PORT)],
      clusters: [xdsCluster([{ host: opts.xdsHost, port: opts.xdsPort }, ...(opts.moreXdsServers ?? [])], opts.xdsTls)],
    },
    overload_manager: {
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: {
            '@type': anyType(
              'envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
            ),
            max_active_downstream_connections: MAX_DOWNSTREAM_CONNECTIONS,
          },
        },
      ],
    },
  };
}

/**
 * The SDS files the bootstrap's mTLS refers to. Envoy watches them and the certificate files they name, so
 * rewriting a certificate rotates it without a restart.
 */
export function xdsSdsFiles(files: XdsCertificateFiles): { certificate: object; trustedCa: object } {
  const secret = (body: object): object => ({ resources: [{ '@type': anyType(SECRET_TYPE), ...body }] });
  return {
    certificate: secret({
      name: SDS_CERTIFICATE,
      tls_certificate: {
        certificate_chain: { filename: files.certificatePath },
        private_key: { filename: files.privateKeyPath },
      },
    }),
    trustedCa: secret({ name: SDS_TRUSTED_CA, validation_context: { trusted_ca: { filename: files.caPath } } }),
  };
}

/** TLS 1.3 only, the xds-server must prove it is `envoy-gateway`, Envoy's certificate comes from SDS files. */
function xdsTransportSocket(files: XdsTlsFiles): Record<string, unknown> {
  const fromFile = (name: string, path: string) => ({
    name,
    sds_config: { path_config_source: { path }, resource_api_version: 'V3' },
  });
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': anyType('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'),
      sni: XDS_SERVER_NAME,
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
        alpn_protocols: ['h2'],
        tls_certificate_sds_secret_configs: [fromFile(SDS_CERTIFICATE, files.sdsCertificatePath)],
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: XDS_SERVER_NAME } }],
          },
          validation_context_sds_secret_config: fromFile(SDS_TRUSTED_CA, files.sdsTrustedCaPath),
        },
      },
    },
  };
}

/** The cluster Envoy reaches the xds-server replicas through: HTTP/2 with keepalives so a dead server is noticed. */
function xdsCluster(servers: readonly XdsServerAddress[], tls: XdsTlsFiles | undefined): Record<string, unknown> {
  return {
    name: XDS_CLUSTER,
    type: 'STRICT_DNS',
    // Names like `localhost` resolve to both families; the xds-server listens on IPv4.
    dns_lookup_family: 'V4_PREFERRED',
    connect_timeout: '10s',
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [
        {
          lb_endpoints: servers.map(({ host, port }) => ({
            endpoint: { address: { socket_address: { address: host, port_value: port } } },
          })),
        },
      ],
    },
    ...(tls && { transport_socket: xdsTransportSocket(tls) }),
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': anyType('envoy.extensions.upstreams.http.v3.HttpProtocolOptions'),
        explicit_http_config: {
          http2_protocol_options: { connection_keepalive: { interval: '30s', timeout: '5s' } },
        },
      },
    },
    upstream_connection_options: { tcp_keepalive: { keepalive_probes: 3, keepalive_time: 30, keepalive_interval: 5 } },
  };
}

/**
 * Static rather than sent over xDS: the port is per process (host mode runs several fleets on one machine),
 * and Envoy only starts serving any listener once its first xDS configuration arrived, so `/ready` still
 * means "configured". The health_check filter answers 503 once Envoy is draining.
 */
function readinessListener(port: number): Record<string, unknown> {
  return {
    name: `envoy-gateway-proxy-ready-0.0.0.0-${port}`,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': anyType(HTTP_CONNECTION_MANAGER),
              stat_prefix: 'eg-ready-http',
              route_config: { name: 'local_route' },
              http_filters: [
                {
                  name: 'envoy.filters.http.health_check',
                  typed_config: {
                    '@type': anyType('envoy.extensions.filters.http.health_check.v3.HealthCheck'),
                    pass_through_mode: false,
                    headers: [{ name: ':path', string_match: { exact: READINESS_PATH } }],
                  },
                },
                {
                  name: 'envoy.filters.http.router',
                  typed_config: { '@type': anyType(ROUTER) },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
