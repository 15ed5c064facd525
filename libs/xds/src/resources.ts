/** Type URLs of the Envoy v3 resources the translator produces. */
export const TYPE_URLS = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type ResourceTypeUrl = (typeof TYPE_URLS)[keyof typeof TYPE_URLS];

/** One encoded Envoy resource. */
export interface XdsResource {
  readonly name: string;
  readonly typeUrl: ResourceTypeUrl;
  /** The resource's protobuf encoding. */
  readonly value: Uint8Array;
  /** Content hash of `value`: equal bytes, equal version, on every replica. */
  readonly version: string;
}

/** Everything one Envoy fleet (one IR key) is served; each list sorted by name. */
export interface XdsResources {
  readonly listeners: readonly XdsResource[];
  readonly routes: readonly XdsResource[];
  readonly clusters: readonly XdsResource[];
  readonly endpoints: readonly XdsResource[];
  readonly secrets: readonly XdsResource[];
}

/** The list of `resources` that holds resources of `typeUrl` (empty for types never produced). */
export function resourcesOfType(resources: XdsResources, typeUrl: string): readonly XdsResource[] {
  switch (typeUrl) {
    case TYPE_URLS.listener:
      return resources.listeners;
    case TYPE_URLS.route:
      return resources.routes;
    case TYPE_URLS.cluster:
      return resources.clusters;
    case TYPE_URLS.endpoint:
      return resources.endpoints;
    case TYPE_URLS.secret:
      return resources.secrets;
    default:
      return [];
  }
}
