import { TYPE_URLS, type ResourceTypeUrl, type XdsResource, type XdsResources } from '@eg/xds';

/** A resource whose bytes are its name and version: enough for the protocol, which never looks inside. */
export function fake(typeUrl: ResourceTypeUrl, name: string, version: string): XdsResource {
  return { name, typeUrl, value: new TextEncoder().encode(`${name}@${version}`), version };
}

/** One listener `l` with route `l`, and a cluster with endpoints for each of `clusters` (name -> version). */
export function fleet(clusters: Readonly<Record<string, string>>, routeVersion = 'r1'): XdsResources {
  const names = Object.keys(clusters).sort();
  return {
    listeners: [fake(TYPE_URLS.listener, 'l', 'l1')],
    routes: [fake(TYPE_URLS.route, 'l', routeVersion)],
    clusters: names.map((n) => fake(TYPE_URLS.cluster, n, clusters[n]!)),
    endpoints: names.map((n) => fake(TYPE_URLS.endpoint, n, clusters[n]!)),
    secrets: [],
  };
}
