import { canonicalJSON, type Condition } from '@eg/ir';
import { condition } from './conditions.ts';
import type { RankedRoute } from './precedence.ts';

/** Routes (`<namespace>/<name>`) some of whose matches never receive traffic, with why. */
export type ShadowedRoutes = ReadonlyMap<string, readonly string[]>;

/**
 * Finds matches that an older (or alphabetically earlier) HTTPRoute already claims with exactly the same
 * conditions on the same hostname. Precedence decides where such requests go; this says so in the losing
 * route's status, so that teams sharing a Gateway see the conflict.
 */
export function findShadowedRoutes(sortedPerListener: Iterable<readonly RankedRoute[]>): ShadowedRoutes {
  const shadowed = new Map<string, string[]>();
  for (const routes of sortedPerListener) {
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
      if (from === `${source.namespace}/${source.name}`) continue;
      const messages = shadowed.get(`${source.namespace}/${source.name}`) ?? [];
      const message = `Rule ${source.rule} match ${source.match} on hostname ${ranked.route.hostname} is shadowed by HTTPRoute ${from} rule ${winner.source.rule}, which takes precedence`;
      if (!messages.includes(message)) messages.push(message);
      shadowed.set(`${source.namespace}/${source.name}`, messages);
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
