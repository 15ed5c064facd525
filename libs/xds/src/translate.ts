import type { RouteDestination, XdsIR } from '@eg/ir';
import { clusterConfig } from './cluster.ts';
import { destinationClusters, hasCluster } from './destination.ts';
import { encodeResource } from './encode.ts';
import { httpListener } from './listener.ts';
import { portGroups } from './port-groups.ts';
import { TYPE_URLS, type XdsResource, type XdsResources } from './resources.ts';
import { routeConfiguration } from './route.ts';

/**
 * Translates one fleet's xDS IR into Envoy resources. Pure and deterministic: the same IR gives the same bytes
 * and versions on every replica, so an Envoy that reconnects elsewhere sees no change.
 */
export function translateXds(ir: XdsIR): XdsResources {
  const groups = portGroups(ir.http);
  const clusters: XdsResource[] = [];
  const endpoints: XdsResource[] = [];
  for (const destination of destinations(ir)) {
    for (const target of destinationClusters(destination).filter(hasCluster)) {
      const { cluster, loadAssignment } = clusterConfig(target);
      clusters.push(encodeResource(TYPE_URLS.cluster, target.name, cluster));
      if (loadAssignment) endpoints.push(encodeResource(TYPE_URLS.endpoint, target.name, loadAssignment));
    }
  }
  return {
    listeners: byName(groups.map((g) => encodeResource(TYPE_URLS.listener, g.name, httpListener(g)))),
    routes: byName(groups.map((g) => encodeResource(TYPE_URLS.route, g.name, routeConfiguration(g)))),
    clusters: byName(clusters),
    endpoints: byName(endpoints),
    secrets: [],
  };
}

/** Each destination (and mirror destination) once: a rule's routes repeat it for every hostname and match. */
function destinations(ir: XdsIR): RouteDestination[] {
  const seen = new Map<string, RouteDestination>();
  const add = (destination: RouteDestination) => {
    if (!seen.has(destination.name)) seen.set(destination.name, destination);
  };
  for (const listener of ir.http) {
    for (const { action, mirrors } of listener.routes) {
      if (action.type !== 'Forward') continue;
      add(action.destination);
      for (const mirror of mirrors ?? []) add(mirror.destination);
    }
  }
  return [...seen.values()];
}

function byName(resources: XdsResource[]): XdsResource[] {
  // Code-unit order, not localeCompare: the order must not depend on the machine's locale.
  return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
