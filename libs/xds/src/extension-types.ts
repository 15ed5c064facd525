/** Full names of the Envoy extension messages embedded (as Any) in listeners and the bootstrap. */
export const HTTP_CONNECTION_MANAGER =
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER = 'envoy.extensions.filters.http.router.v3.Router';
export const TCP_PROXY = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
export const TLS_INSPECTOR = 'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
export const DOWNSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const UDP_PROXY = 'envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig';
export const UDP_PROXY_ROUTE = 'envoy.extensions.filters.udp.udp_proxy.v3.Route';
export const RATE_LIMIT = 'envoy.extensions.filters.http.ratelimit.v3.RateLimit';
export const LOCAL_RATE_LIMIT = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
export const JWT_AUTHN = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
export const JWT_AUTHN_PER_ROUTE = 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig';
export const UPSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const GRPC_WEB = 'envoy.extensions.filters.http.grpc_web.v3.GrpcWeb';
export const GRPC_STATS = 'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig';
export const CORS_FILTER_CONFIG = 'envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY = 'envoy.extensions.filters.http.cors.v3.CorsPolicy';
export const HEALTH_CHECK = 'envoy.extensions.filters.http.health_check.v3.HealthCheck';
