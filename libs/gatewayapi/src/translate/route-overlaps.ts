import { canonicalJSON, type Condition } from '@eg/ir';
import { condition } from './conditions.ts';
import type { RankedRoute } from './precedence.ts';

/** Route `<kind>/<namespace>/<name>` -> Gateway `<namespace>/<name>` -> why some of its matches get no traffic. */
export type ShadowedRoutes = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** The routes of one listener, most specific first. */
export interface ListenerRoutes {
  /** `<namespace>/<name>` of the listener's Gateway. */
  readonly gateway: string;
  readonly routes: readonly RankedRoute[];
}

/**
 * Finds matches that an older (or alphabetically earlier) route already claims with exactly the same
 * conditions on the same hostname. Precedence decides where such requests go; this says so in the losing
 * route's status, so that teams sharing a Gateway see the conflict.
 */
export function findShadowedRoutes(listeners: Iterable<ListenerRoutes>): ShadowedRoutes {
  const shadowed = new Map<string, Map<string, string[]>>();
  for (const { gateway, routes } of listeners) {
    const owner = new Map<string, RankedRoute>();
    for (const ranked of routes) {
      const key = matchIdentity(ranked);
      const winner = owner.get(key);
      if (!winner) {
        owner.set(key, ranked);
        continue;
      }
      const { source } = ranked;
      const from = `${winner.source.namespace}/${winner.source.name}`;
      const routeKey = `${source.kind}/${source.namespace}/${source.name}`;
      if (routeKey === `${winner.source.kind}/${from}`) continue;
      const byGateway = shadowed.get(routeKey) ?? new Map<string, string[]>();
      const messages = byGateway.get(gateway) ?? [];
      const message = `Rule ${source.rule} match ${source.match} on hostname ${ranked.route.hostname} is shadowed by ${winner.source.kind} ${from} rule ${winner.source.rule}, which takes precedence`;
      if (!messages.includes(message)) messages.push(message);
      byGateway.set(gateway, messages);
      shadowed.set(routeKey, byGateway);
    }
  }
  return shadowed;
}

function matchIdentity({ route }: RankedRoute): string {
  const byName = <T extends { name: string }>(items: readonly T[]) =>
    [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return canonicalJSON({
    hostname: route.hostname,
    path: route.pathMatch,
    headers: byName(route.headerMatches),
    query: byName(route.queryParamMatches ?? []),
  });
}

/** Envoy Gateway's condition type for rules that overlap others; the route stays Accepted. */
export function overlapCondition(messages: readonly string[], generation: number): Condition {
  return condition('RouteRulesOverlap', 'True', 'RouteRulesOverlap', `${messages.join('.\n')}.`, generation);
}
