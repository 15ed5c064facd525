import { CONTROLLER_NAME, type Condition, type ResourceStatus } from '@eg/ir';
import { API_VERSION, type Gateway, type ParentReference } from '../resources.ts';
import { condition, joinProblems } from './conditions.ts';
import { intersectHostnames } from './hostnames.ts';
import { routesForHostname, type RoutableRoute, type TranslatedRules } from './httproute-rules.ts';
import type { ListenerContext } from './listeners.ts';
import type { RankedRoute } from './precedence.ts';
import {
  MSG_ROUTE_ACCEPTED,
  MSG_ROUTE_RESOLVED,
  noHostnameMessage,
  resolveParent,
  type ParentWorld,
} from './route-parents.ts';

/** A managed Gateway with its evaluated listeners. */
export interface GatewayContext {
  readonly gateway: Gateway;
  readonly listeners: readonly ListenerContext[];
}

/** Where attached routes go: the IR routes and the attached-route count of each listener. */
export interface ListenerTally {
  addRoutes(listener: ListenerContext, routeKey: string, routes: readonly RankedRoute[]): void;
}

export interface RouteWorld extends ParentWorld {
  readonly tally: ListenerTally;
}

/**
 * Attaches an HTTPRoute or GRPCRoute to the listeners its parentRefs select and returns its status, or nothing when no
 * parentRef names a Gateway of this controller. Each parent gets Accepted (attachment) and ResolvedRefs
 * (backends) independently, as the Gateway API requires.
 */
export function attachHTTPRoute(
  route: RoutableRoute,
  rules: TranslatedRules,
  world: RouteWorld,
): ResourceStatus | undefined {
  const { namespace, name, generation } = route.metadata;
  const resolvedRefs = resolvedRefsCondition(rules, generation);
  const partiallyInvalid = partiallyInvalidCondition(rules, generation);

  const parents = [];
  for (const parentRef of route.spec.parentRefs) {
    const accepted = attachToParent(route, rules, parentRef, world);
    if (!accepted) continue;
    parents.push({
      parentRef,
      controllerName: CONTROLLER_NAME,
      conditions: [
        accepted,
        resolvedRefs,
        ...(accepted.status === 'True' && partiallyInvalid ? [partiallyInvalid] : []),
      ],
    });
  }
  if (parents.length === 0) return undefined;
  return { kind: route.kind, apiVersion: API_VERSION[route.kind], namespace, name, status: { parents } };
}

/** The Accepted condition for one parentRef, or undefined when the parent is not this controller's. */
function attachToParent(
  route: RoutableRoute,
  rules: TranslatedRules,
  parentRef: ParentReference,
  world: RouteWorld,
): Condition | undefined {
  const { namespace, generation } = route.metadata;
  const rejected = (reason: string, message: string) => condition('Accepted', 'False', reason, message, generation);
  const parent = resolveParent(route.kind, namespace, parentRef, world);
  if (parent.outcome === 'NotOurs') return undefined;
  if (parent.outcome === 'Rejected') return rejected(parent.reason, parent.message);
  const attachable = parent.listeners
    .map((listener) => ({ listener, hostnames: intersectHostnames(route.spec.hostnames, listener.spec.hostname) }))
    .filter((a) => a.hostnames.length > 0);
  if (attachable.length === 0) return rejected('NoMatchingListenerHostname', noHostnameMessage(route.kind));
  if (rules.rules.length === 0 && rules.dropped.length > 0) {
    return rejected(
      'UnsupportedValue',
      rules.dropped.map((d) => `Failed to process route rule ${d.index}: ${d.message}.`).join('\n'),
    );
  }

  const routeKey = `${route.kind}/${namespace}/${route.metadata.name}`;
  for (const { listener, hostnames } of attachable) {
    world.tally.addRoutes(
      listener,
      routeKey,
      hostnames.flatMap((h) => routesForHostname(route, rules.rules, h)),
    );
  }
  return condition('Accepted', 'True', 'Accepted', MSG_ROUTE_ACCEPTED, generation);
}

function resolvedRefsCondition(rules: TranslatedRules, generation: number): Condition {
  if (rules.refProblems.length === 0)
    return condition('ResolvedRefs', 'True', 'ResolvedRefs', MSG_ROUTE_RESOLVED, generation);
  const { reason, message } = joinProblems(rules.refProblems);
  return condition('ResolvedRefs', 'False', reason, message, generation);
}

/** Set only when some rules were dropped and others kept; its message starts with "Dropped Rule" as required. */
function partiallyInvalidCondition(rules: TranslatedRules, generation: number): Condition | undefined {
  if (rules.dropped.length === 0 || rules.rules.length === 0) return undefined;
  const details = rules.dropped.map((d) => `rule ${d.index}: ${d.message}`).join('; ');
  return condition('PartiallyInvalid', 'True', 'UnsupportedValue', `Dropped Rule(s): ${details}.`, generation);
}
