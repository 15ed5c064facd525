import type { DestinationSetting, RouteDestination } from '@eg/ir';

/** One Envoy cluster of a destination and the backendRef it serves. */
export interface DestinationCluster {
  readonly name: string;
  readonly setting: DestinationSetting;
}

/**
 * A destination with one backendRef is one cluster named after the destination. A traffic split gives every
 * backendRef its own cluster (`<destination>/backend/<k>`) so the route's weighted_clusters apply the weights
 * per request, whatever each backend's endpoint count or health, and an unresolved backendRef keeps its share.
 */
export function destinationClusters(destination: RouteDestination): DestinationCluster[] {
  const [only, ...others] = destination.settings;
  if (only && others.length === 0) return [{ name: destination.name, setting: only }];
  return destination.settings.map((setting) => ({ name: setting.name, setting }));
}

/** Unresolved backendRefs and zero weights take no traffic, so they get no Envoy cluster. */
export function hasCluster({ setting }: DestinationCluster): boolean {
  return !setting.invalid && setting.weight > 0;
}
