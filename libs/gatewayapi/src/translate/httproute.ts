import { CONTROLLER_NAME, type Condition, type ResourceStatus } from '@eg/ir';
import { API_VERSION, GATEWAY_API_GROUP, type Gateway, type ParentReference } from '../resources.ts';
import { condition, joinProblems } from './conditions.ts';
import { intersectHostnames } from './hostnames.ts';
import { routesForHostname, type RoutableRoute, type TranslatedRules } from './httproute-rules.ts';
import type { ListenerContext } from './listeners.ts';
import type { RankedRoute } from './precedence.ts';

/** A managed Gateway with its evaluated listeners. */
export interface GatewayContext {
  readonly gateway: Gateway;
  readonly listeners: readonly ListenerContext[];
}

/** Where attached routes go: the IR routes and the attached-route count of each listener. */
export interface ListenerTally {
  addRoutes(listener: ListenerContext, routeKey: string, routes: readonly RankedRoute[]): void;
}

export interface RouteWorld {
  /** Managed Gateways by `<namespace>/<name>`. */
  readonly managed: ReadonlyMap<string, GatewayContext>;
  /** Every Gateway by `<namespace>/<name>`, to tell "not ours" from "does not exist". */
  readonly allGateways: ReadonlySet<string>;
  readonly tally: ListenerTally;
}

const MSG_ACCEPTED = 'Route is accepted';
const MSG_RESOLVED = 'Resolved all the Object references for the Route';
const MSG_NO_MATCHING_PARENT = 'No listeners match this parent ref';
const MSG_NOT_ALLOWED = 'No listeners included by this parent ref allowed this attachment.';
const noHostnameMessage = (kind: string) =>
  `There were no hostname intersections between the ${kind} and this parent ref's Listener(s).`;

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
  if (parentRef.group !== GATEWAY_API_GROUP || parentRef.kind !== 'Gateway') return undefined;
  const key = `${parentRef.namespace ?? namespace}/${parentRef.name}`;
  const parent = world.managed.get(key);
  if (!parent) {
    return world.allGateways.has(key) ? undefined : rejected('NoMatchingParent', `Gateway ${key} not found`);
  }

  const selected = parent.listeners.filter(
    (l) =>
      (parentRef.sectionName === undefined || parentRef.sectionName === l.spec.name) &&
      (parentRef.port === undefined || parentRef.port === l.spec.port),
  );
  if (selected.length === 0) return rejected('NoMatchingParent', MSG_NO_MATCHING_PARENT);
  const allowed = selected.filter((l) => l.allowsRoute(route.kind, namespace));
  if (allowed.length === 0) return rejected('NotAllowedByListeners', MSG_NOT_ALLOWED);
  const attachable = allowed
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
  return condition('Accepted', 'True', 'Accepted', MSG_ACCEPTED, generation);
}

function resolvedRefsCondition(rules: TranslatedRules, generation: number): Condition {
  if (rules.refProblems.length === 0)
    return condition('ResolvedRefs', 'True', 'ResolvedRefs', MSG_RESOLVED, generation);
  const { reason, message } = joinProblems(rules.refProblems);
  return condition('ResolvedRefs', 'False', reason, message, generation);
}

/** Set only when some rules were dropped and others kept; its message starts with "Dropped Rule" as required. */
function partiallyInvalidCondition(rules: TranslatedRules, generation: number): Condition | undefined {
  if (rules.dropped.length === 0 || rules.rules.length === 0) return undefined;
  const details = rules.dropped.map((d) => `rule ${d.index}: ${d.message}`).join('; ');
  return condition('PartiallyInvalid', 'True', 'UnsupportedValue', `Dropped Rule(s): ${details}.`, generation);
}
