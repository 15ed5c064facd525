export { translateXds } from './translate.ts';
export { toJSON, type XdsResourcesJSON } from './to-json.ts';
export { TYPE_URLS, resourcesOfType, type ResourceTypeUrl, type XdsResource, type XdsResources } from './resources.ts';
export { renderBootstrap, DEFAULT_READINESS_PORT, READINESS_PATH, type BootstrapOptions } from './bootstrap.ts';
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
