/** Full names of the Envoy extension messages embedded (as Any) in listeners and the bootstrap. */
export const HTTP_CONNECTION_MANAGER =
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER = 'envoy.extensions.filters.http.router.v3.Router';
