export { startXdsServer, type XdsServer, type XdsServerOptions } from './ads-server.ts';
export { SnapshotCache, type Snapshot } from './snapshot-cache.ts';
export {
  XdsStatusRegistry,
  type NodeStatus,
  type Rejection,
  type StatusObserver,
  type TypeStatus,
  type XdsProtocol,
} from './node-status.ts';
export { XdsProtocolError, XdsServerStartError } from './errors.ts';
export { watchedServerCredentials } from './server-credentials.ts';
export { proxyStatuses, type ProxyStatus, type SyncState, type TypeSync } from './proxy-status.ts';
