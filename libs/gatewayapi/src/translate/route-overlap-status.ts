import type { Condition, ResourceStatus } from '@eg/ir';
import type { ParentReference } from '../resources.ts';
import type { RoutableRoute } from './httproute-rules.ts';
import type { ListenerContext } from './listeners.ts';
import { comparePrecedence, type RankedRoute } from './precedence.ts';
import { findShadowedRoutes, overlapCondition } from './route-overlaps.ts';

interface RouteParentStatus {
  readonly parentRef: ParentReference;
  readonly conditions: readonly Condition[];
}

/** Adds RouteRulesOverlap to each accepted parent (Gateway) on which another route shadows the route. */
export function withOverlaps(
  statuses: readonly ResourceStatus[],
  perListener: ReadonlyMap<ListenerContext, readonly RankedRoute[]>,
  routes: readonly RoutableRoute[],
): ResourceStatus[] {
  const shadowed = findShadowedRoutes(
    [...perListener].map(([listener, ranked]) => ({
      gateway: `${listener.gateway.metadata.namespace}/${listener.gateway.metadata.name}`,
      routes: [...ranked].sort(comparePrecedence),
    })),
  );
  if (shadowed.size === 0) return [...statuses];
  const generations = new Map(
    routes.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r.metadata.generation]),
  );
  return statuses.map((status) => {
    const key = `${status.kind}/${status.namespace ?? ''}/${status.name}`;
    const byGateway = shadowed.get(key);
    if (!byGateway) return status;
    const { parents } = status.status as { parents: readonly RouteParentStatus[] };
    return {
      ...status,
      status: {
        parents: parents.map((p) => {
          const messages = byGateway.get(`${p.parentRef.namespace ?? status.namespace}/${p.parentRef.name}`);
          const accepted = p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
          if (!messages || !accepted) return p;
          return { ...p, conditions: [...p.conditions, overlapCondition(messages, generations.get(key) ?? 1)] };
        }),
      },
    };
  });
}
