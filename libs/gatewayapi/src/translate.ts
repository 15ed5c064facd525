import { gatewayIRKey, type InfraIR, type RateLimitIR, type ResourceStatus, type XdsIR } from '@eg/ir';
import type { Resources } from './resources.ts';
import { backendStatus } from './translate/backend-resource.ts';
import { backendTLSPolicyStatuses, gatewaysByService } from './translate/backend-tls.ts';
import { attachTrafficPolicies } from './translate/backendtrafficpolicy.ts';
import { attachClientTrafficPolicies } from './translate/clienttrafficpolicy.ts';
import { gatewayInfraIR, gatewayStatus, resolveBackendClientCertificate, xdsListener } from './translate/gateway.ts';
import { unsupportedAddress } from './translate/gateway-addresses.ts';
import { gatewayClassStatus, managedGatewayClasses } from './translate/gatewayclass.ts';
import { proxyConfigFor } from './translate/envoyproxy.ts';
import { routableGRPCRoute } from './translate/grpcroute.ts';
import { attachHTTPRoute, type GatewayContext } from './translate/httproute.ts';
import { xdsTCPListener, xdsUDPListener } from './translate/l4-listeners.ts';
import { attachL4Route, type L4Attachment } from './translate/l4route.ts';
import { translateRules } from './translate/httproute-rules.ts';
import { evaluateListeners, withdrawn, type ListenerContext, type TranslateOptions } from './translate/listeners.ts';
import { comparePrecedence, type RankedRoute } from './translate/precedence.ts';
import { rateLimitConfigs } from './translate/ratelimit-config.ts';
import { attachSecurityPolicies } from './translate/securitypolicy.ts';
import { compareText, indexResources } from './translate/resource-index.ts';
import { withOverlaps } from './translate/route-overlap-status.ts';

export type { TranslateOptions } from './translate/listeners.ts';

/** Everything one translation produces, keyed by IR key (`<namespace>/<gateway>`), in key order. */
export interface TranslateResult {
  readonly xds: ReadonlyMap<string, XdsIR>;
  readonly infra: ReadonlyMap<string, InfraIR>;
  /** The ratelimit service's configuration, keyed by rate-limit domain (see rateLimitConfigs). */
  readonly rateLimit: ReadonlyMap<string, RateLimitIR>;
  /** Sorted by kind, namespace and name. Conditions carry no lastTransitionTime: the status writer adds it. */
  readonly statuses: readonly ResourceStatus[];
}

/**
 * Translates Gateway API resources into IR and statuses. Pure and deterministic: the same resources, in any
 * order, give the same result.
 */
export function translate(resources: Resources, options: TranslateOptions): TranslateResult {
  const index = indexResources(resources);
  const classes = managedGatewayClasses(index.gatewayClasses, index);
  const classNames = new Set(classes.filter((c) => !c.invalidParameters).map((c) => c.gatewayClass.metadata.name));
  const gateways: GatewayContext[] = index.gateways
    .filter((g) => classNames.has(g.spec.gatewayClassName))
    .map((gateway) => {
      const listeners = evaluateListeners(gateway, index, options);
      // A Gateway whose addresses cannot be honoured is not accepted, so Envoy serves none of it.
      return { gateway, listeners: unsupportedAddress(gateway) ? listeners.map(withdrawn) : listeners };
    });

  const attached = new Map<ListenerContext, Set<string>>();
  const listenerRoutes = new Map<ListenerContext, RankedRoute[]>();
  const world = {
    managed: new Map(gateways.map((g) => [keyOf(g.gateway.metadata), g])),
    allGateways: new Set(index.gateways.map((g) => keyOf(g.metadata))),
    tally: {
      addRoutes(listener: ListenerContext, routeKey: string, routes: readonly RankedRoute[]) {
        const keys = attached.get(listener) ?? new Set<string>();
        // A route reaching the same listener through two parentRefs is attached once.
        if (keys.has(routeKey)) return;
        keys.add(routeKey);
        attached.set(listener, keys);
        const list = listenerRoutes.get(listener);
        if (list) list.push(...routes);
        else listenerRoutes.set(listener, [...routes]);
      },
    },
  };

  const statuses: ResourceStatus[] = classes.map(gatewayClassStatus);
  const routable = [...index.httpRoutes, ...index.grpcRoutes.map(routableGRPCRoute)];
  for (const route of routable) {
    const status = attachHTTPRoute(route, translateRules(route, index, options), world);
    if (status) statuses.push(status);
  }
  const l4Attachments = new Map<ListenerContext, L4Attachment[]>();
  const l4World = {
    managed: world.managed,
    allGateways: world.allGateways,
    attach(listener: ListenerContext, attachment: L4Attachment) {
      const list = l4Attachments.get(listener) ?? [];
      const same = (a: L4Attachment) =>
        a.route.kind === attachment.route.kind &&
        a.route.metadata.namespace === attachment.route.metadata.namespace &&
        a.route.metadata.name === attachment.route.metadata.name;
      // A route reaching the same listener through two parentRefs is attached once.
      if (list.some(same)) return;
      list.push(attachment);
      l4Attachments.set(listener, list);
    },
  };
  for (const route of [...index.tlsRoutes, ...index.tcpRoutes, ...index.udpRoutes]) {
    const status = attachL4Route(route, index, options, l4World);
    if (status) statuses.push(status);
  }
  const policyWorld = { routes: routable, managed: world.managed, listenerRoutes };
  const trafficPolicies = attachTrafficPolicies({ ...policyWorld, policies: index.backendTrafficPolicies });
  const securityPolicies = attachSecurityPolicies({ ...policyWorld, policies: index.securityPolicies });
  const withPolicies = (l: ListenerContext, r: RankedRoute) =>
    securityPolicies.applyTo(l, { ...r, route: trafficPolicies.applyTo(l, r) });
  const clientTraffic = attachClientTrafficPolicies(index.clientTrafficPolicies, world.managed);
  const attachedRoutes = (l: ListenerContext) => (attached.get(l)?.size ?? 0) + (l4Attachments.get(l)?.length ?? 0);

  const xds = new Map<string, XdsIR>();
  const infra = new Map<string, InfraIR>();
  for (const { gateway, listeners } of gateways) {
    const key = keyOf(gateway.metadata);
    const programmed = listeners.filter((l) => l.programmed);
    const servedAs = (...types: string[]) => programmed.filter((l) => types.includes(l.serve?.type ?? ''));
    const http = servedAs('HTTP', 'HTTPS').map((l) => {
      const ranked = (listenerRoutes.get(l) ?? []).sort(comparePrecedence);
      const grpc = ranked.some((r) => r.source.kind === 'GRPCRoute');
      const listener = xdsListener(
        l,
        ranked.map((r) => withPolicies(l, r)),
        grpc,
      );
      const settings = clientTraffic.settingsFor(l);
      return settings ? { ...listener, clientTraffic: settings } : listener;
    });
    const tcp = servedAs('TCP', 'TLSPassthrough', 'TLSTerminate').map((l) =>
      xdsTCPListener(l, l4Attachments.get(l) ?? []),
    );
    const udp = servedAs('UDP').map((l) => xdsUDPListener(l, l4Attachments.get(l) ?? []));
    const backendCertificate = resolveBackendClientCertificate(gateway, index);
    const clientCertificate = backendCertificate?.valid ? backendCertificate.tls.certificates[0] : undefined;
    xds.set(key, {
      http,
      ...(tcp.length > 0 && { tcp }),
      ...(udp.length > 0 && { udp }),
      ...(clientCertificate && { backendClientCertificate: clientCertificate }),
    });
    const gatewayClass = classes.find((c) => c.gatewayClass.metadata.name === gateway.spec.gatewayClassName);
    infra.set(key, gatewayInfraIR(gateway, listeners, proxyConfigFor(gateway, gatewayClass?.gatewayClass, index)));
    statuses.push(gatewayStatus(gateway, listeners, attachedRoutes, options, backendCertificate));
  }
  statuses.push(...index.backends.map((b) => backendStatus(b, options)));
  statuses.push(...clientTraffic.statuses, ...trafficPolicies.statuses, ...securityPolicies.statuses);
  const served = [...listenerRoutes].map(([listener, ranked]) => ({
    gateway: listener.gateway.metadata,
    routeKeys: ranked.map((r) => `${r.source.kind}/${r.source.namespace}/${r.source.name}`),
  }));
  statuses.push(...backendTLSPolicyStatuses(index.backendTLS, gatewaysByService(served, routable)));

  const withShadowing = withOverlaps(statuses, listenerRoutes, routable);
  return { xds, infra, rateLimit: rateLimitConfigs(xds), statuses: withShadowing.sort(compareStatuses) };
}

function keyOf(metadata: { namespace: string; name: string }): string {
  return gatewayIRKey(metadata.namespace, metadata.name);
}

const KIND_ORDER = [
  'GatewayClass',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'Backend',
  'ClientTrafficPolicy',
  'BackendTrafficPolicy',
  'SecurityPolicy',
  'BackendTLSPolicy',
];

function compareStatuses(a: ResourceStatus, b: ResourceStatus): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.name, b.name)
  );
}
