export { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './server.ts';
export {
  ALL_TYPES,
  CORE_TYPES,
  ENVOY_GATEWAY_TYPES,
  GATEWAY_API_TYPES,
  resourceTypesFromCrds,
  type CrdRegistration,
  type ResourceType,
} from './resource-types.ts';
export type { Json, JsonObject } from './json.ts';
