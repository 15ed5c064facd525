export { translateXds, type XdsOptions } from './translate.ts';
export { DEFAULT_RATE_LIMIT_SERVICE, type RateLimitAddress, type RateLimitServiceOptions } from './ratelimit.ts';
export { toJSON, type XdsResourcesJSON } from './to-json.ts';
export { TYPE_URLS, resourcesOfType, type ResourceTypeUrl, type XdsResource, type XdsResources } from './resources.ts';
export {
  renderBootstrap,
  xdsSdsFiles,
  DEFAULT_READINESS_PORT,
  READINESS_PATH,
  XDS_SERVER_NAME,
  type BootstrapOptions,
  type XdsCertificateFiles,
  type XdsServerAddress,
  type XdsTlsFiles,
} from './bootstrap.ts';
export {
  deltaDiscoveryRequestCodec,
  deltaDiscoveryResponseCodec,
  discoveryRequestCodec,
  discoveryResponseCodec,
  type AnyResource,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DeltaResource,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type ErrorDetail,
  type MessageCodec,
  type Node,
} from './discovery.ts';
export { DiscoveryDecodeError, EnvoyProtoLoadError, XdsEncodeError } from './errors.ts';
export { ADS_SERVICE } from './ads-service.ts';
