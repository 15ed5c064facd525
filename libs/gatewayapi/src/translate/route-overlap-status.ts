import type { Condition, ResourceStatus } from '@eg/ir';
import type { HTTPRoute } from '../resources.ts';
import { comparePrecedence, type RankedRoute } from './precedence.ts';
import { findShadowedRoutes, overlapCondition } from './route-overlaps.ts';

interface RouteParentStatus {
  readonly conditions: readonly Condition[];
}

/** Adds RouteRulesOverlap to the accepted parents of each HTTPRoute that another route shadows. */
export function withOverlaps(
  statuses: readonly ResourceStatus[],
  perListener: Iterable<readonly RankedRoute[]>,
  routes: readonly HTTPRoute[],
): ResourceStatus[] {
  const shadowed = findShadowedRoutes([...perListener].map((r) => [...r].sort(comparePrecedence)));
  if (shadowed.size === 0) return [...statuses];
  const generations = new Map(routes.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r.metadata.generation]));
  return statuses.map((status) => {
    const key = `${status.namespace ?? ''}/${status.name}`;
    const messages = status.kind === 'HTTPRoute' ? shadowed.get(key) : undefined;
    if (!messages) return status;
    const overlap = overlapCondition(messages, generations.get(key) ?? 1);
    const { parents } = status.status as { parents: readonly RouteParentStatus[] };
    return {
      ...status,
      status: {
        parents: parents.map((p) =>
          p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True')
            ? { ...p, conditions: [...p.conditions, overlap] }
            : p,
        ),
      },
    };
  });
}
