import type { RouteDestination, XdsIR } from '@eg/ir';
import { clusterConfig } from './cluster.ts';
import { destinationClusters, hasCluster } from './destination.ts';
import { encodeResource } from './encode.ts';
import { jwksClusters } from './jwt.ts';
import { portListener, routeConfigurations } from './listener.ts';
import { portGroups } from './port-groups.ts';
import {
  DEFAULT_RATE_LIMIT_SERVICE,
  RATE_LIMIT_CLUSTER,
  rateLimitCluster,
  usesGlobalRateLimit,
  type RateLimitServiceOptions,
} from './ratelimit.ts';
import { TYPE_URLS, type XdsResource, type XdsResources } from './resources.ts';
import { routeConfiguration } from './route.ts';
import { tlsCertificateSecret } from './secrets.ts';
import { udpListener } from './tcp-proxy.ts';

export interface XdsOptions {
  /** The ratelimit service routes with Global limits ask; Envoy Gateway's Service name and port by default. */
  readonly rateLimitService?: RateLimitServiceOptions;
}

/**
 * Translates one fleet's xDS IR into Envoy resources. Pure and deterministic: the same IR gives the same bytes
 * and versions on every replica, so an Envoy that reconnects elsewhere sees no change.
 */
export function translateXds(ir: XdsIR, options: XdsOptions = {}): XdsResources {
  const rateLimitService = options.rateLimitService ?? DEFAULT_RATE_LIMIT_SERVICE;
  const groups = portGroups(ir.http, ir.tcp);
  const clusters: XdsResource[] = [];
  const endpoints: XdsResource[] = [];
  let presentsClientCertificate = false;
  for (const destination of destinations(ir)) {
    for (const target of destinationClusters(destination).filter(hasCluster)) {
      const { cluster, loadAssignment } = clusterConfig(target, ir.backendClientCertificate);
      presentsClientCertificate ||= target.setting.tls !== undefined && ir.backendClientCertificate !== undefined;
      clusters.push(encodeResource(TYPE_URLS.cluster, target.name, cluster));
      if (loadAssignment) endpoints.push(encodeResource(TYPE_URLS.endpoint, target.name, loadAssignment));
    }
  }
  if (usesGlobalRateLimit(ir.http)) {
    clusters.push(encodeResource(TYPE_URLS.cluster, RATE_LIMIT_CLUSTER, rateLimitCluster(rateLimitService)));
  }
  for (const [name, cluster] of jwksClusters(ir.http)) {
    clusters.push(encodeResource(TYPE_URLS.cluster, name, cluster));
  }
  const listeners: XdsResource[] = [];
  for (const group of groups) {
    const listener = portListener(group, rateLimitService);
    if (listener) listeners.push(encodeResource(TYPE_URLS.listener, group.name, listener));
  }
  for (const udp of ir.udp ?? []) {
    const listener = udpListener(udp);
    if (listener) listeners.push(encodeResource(TYPE_URLS.listener, udp.name, listener));
  }
  const routes = groups
    .flatMap(routeConfigurations)
    .map(({ name, listeners: members }) => encodeResource(TYPE_URLS.route, name, routeConfiguration(name, members)));
  // Listeners (and backend TLS) sharing a Secret share one SDS resource.
  const certificates = [
    ...[...ir.http, ...(ir.tcp ?? [])].flatMap((l) => l.tls?.certificates ?? []),
    ...(presentsClientCertificate && ir.backendClientCertificate ? [ir.backendClientCertificate] : []),
  ];
  const secrets = new Map<string, XdsResource>();
  for (const certificate of certificates) {
    if (secrets.has(certificate.name)) continue;
    secrets.set(
      certificate.name,
      encodeResource(TYPE_URLS.secret, certificate.name, tlsCertificateSecret(certificate)),
    );
  }
  return {
    listeners: byName(listeners),
    routes: byName(routes),
    clusters: byName(clusters),
    endpoints: byName(endpoints),
    secrets: byName([...secrets.values()]),
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
  for (const listener of ir.tcp ?? []) for (const route of listener.routes) add(route.destination);
  for (const listener of ir.udp ?? []) if (listener.route) add(listener.route.destination);
  return [...seen.values()];
}

function byName(resources: XdsResource[]): XdsResource[] {
  // Code-unit order, not localeCompare: the order must not depend on the machine's locale.
  return resources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
