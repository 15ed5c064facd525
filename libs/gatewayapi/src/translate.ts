import { gatewayIRKey, type InfraIR, type RateLimitIR, type ResourceStatus, type XdsIR } from '@eg/ir';
import type { Resources } from './resources.ts';
import { backendStatus } from './translate/backend-resource.ts';
import { gatewayInfraIR, gatewayStatus, xdsListener } from './translate/gateway.ts';
import { gatewayClassStatus, managedGatewayClasses } from './translate/gatewayclass.ts';
import { parametersRefProblem, proxyConfigFor } from './translate/envoyproxy.ts';
import { attachHTTPRoute, type GatewayContext } from './translate/httproute.ts';
import { translateRules } from './translate/httproute-rules.ts';
import { evaluateListeners, type ListenerContext, type TranslateOptions } from './translate/listeners.ts';
import { comparePrecedence, type RankedRoute } from './translate/precedence.ts';
import { compareText, indexResources } from './translate/resource-index.ts';

export type { TranslateOptions } from './translate/listeners.ts';

/** Everything one translation produces, keyed by IR key (`<namespace>/<gateway>`), in key order. */
export interface TranslateResult {
  readonly xds: ReadonlyMap<string, XdsIR>;
  readonly infra: ReadonlyMap<string, InfraIR>;
  /** Empty until rate-limit policies are translated. */
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
  const classes = managedGatewayClasses(index.gatewayClasses);
  const classNames = new Set(classes.map((c) => c.metadata.name));
  const gateways: GatewayContext[] = index.gateways
    .filter((g) => classNames.has(g.spec.gatewayClassName))
    .map((gateway) => ({ gateway, listeners: evaluateListeners(gateway, index, options) }));

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

  const statuses: ResourceStatus[] = classes.map((c) => gatewayClassStatus(c, parametersRefProblem(c, index)));
  for (const route of index.httpRoutes) {
    const status = attachHTTPRoute(route, translateRules(route, index, options), world);
    if (status) statuses.push(status);
  }

  const xds = new Map<string, XdsIR>();
  const infra = new Map<string, InfraIR>();
  for (const { gateway, listeners } of gateways) {
    const key = keyOf(gateway.metadata);
    const http = listeners
      .filter((l) => l.programmed)
      .map((l) =>
        xdsListener(
          l,
          (listenerRoutes.get(l) ?? []).sort(comparePrecedence).map((r) => r.route),
        ),
      );
    xds.set(key, { http });
    const gatewayClass = classes.find((c) => c.metadata.name === gateway.spec.gatewayClassName);
    infra.set(key, gatewayInfraIR(gateway, listeners, proxyConfigFor(gateway, gatewayClass, index)));
    statuses.push(gatewayStatus(gateway, listeners, (l) => attached.get(l)?.size ?? 0, options));
  }
  statuses.push(...index.backends.map((b) => backendStatus(b, options)));

  return { xds, infra, rateLimit: new Map(), statuses: statuses.sort(compareStatuses) };
}

function keyOf(metadata: { namespace: string; name: string }): string {
  return gatewayIRKey(metadata.namespace, metadata.name);
}

const KIND_ORDER = ['GatewayClass', 'Gateway', 'HTTPRoute', 'Backend'];

function compareStatuses(a: ResourceStatus, b: ResourceStatus): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.name, b.name)
  );
}
