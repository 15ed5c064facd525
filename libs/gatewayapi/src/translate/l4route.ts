import {
  CONTROLLER_NAME,
  type Condition,
  type DestinationSetting,
  type ResourceStatus,
  type RouteDestination,
} from '@eg/ir';
import { API_VERSION, type L4Route, type ParentReference } from '../resources.ts';
import { invalidSetting, resolveBackendRef } from './backend-refs.ts';
import { condition, joinProblems, type Problem } from './conditions.ts';
import { intersectHostnames } from './hostnames.ts';
import type { ListenerContext, TranslateOptions } from './listeners.ts';
import { compareText, type ResourceIndex } from './resource-index.ts';
import {
  MSG_ROUTE_ACCEPTED,
  MSG_ROUTE_RESOLVED,
  noHostnameMessage,
  resolveParent,
  type ParentWorld,
} from './route-parents.ts';

/** An L4 route attached to one listener: where its connections go, and for TLSRoutes which SNI names it takes. */
export interface L4Attachment {
  readonly route: L4Route;
  readonly destination: RouteDestination;
  /** TLSRoute: the route's hostnames intersected with the listener's (`*` for any). */
  readonly hostnames: readonly string[];
}

export interface L4World extends ParentWorld {
  attach(listener: ListenerContext, attachment: L4Attachment): void;
}

/**
 * Attaches a TLSRoute, TCPRoute or UDPRoute to the listeners its parentRefs select and returns its status, or
 * nothing when no parentRef names a Gateway of this controller. All backendRefs of all rules form one
 * weighted destination: L4 rules have no matches to tell them apart.
 */
export function attachL4Route(
  route: L4Route,
  index: ResourceIndex,
  options: TranslateOptions,
  world: L4World,
): ResourceStatus | undefined {
  const { namespace, name, generation } = route.metadata;
  const { destination, problems } = l4Destination(route, index, options);
  const resolvedRefs =
    problems.length === 0
      ? condition('ResolvedRefs', 'True', 'ResolvedRefs', MSG_ROUTE_RESOLVED, generation)
      : condition('ResolvedRefs', 'False', joinProblems(problems).reason, joinProblems(problems).message, generation);

  const parents = [];
  for (const parentRef of route.spec.parentRefs) {
    const accepted = attachToParent(route, destination, parentRef, world);
    if (accepted) parents.push({ parentRef, controllerName: CONTROLLER_NAME, conditions: [accepted, resolvedRefs] });
  }
  if (parents.length === 0) return undefined;
  return { kind: route.kind, apiVersion: API_VERSION[route.kind], namespace, name, status: { parents } };
}

function l4Destination(
  route: L4Route,
  index: ResourceIndex,
  options: TranslateOptions,
): { destination: RouteDestination; problems: Problem[] } {
  const { namespace, name } = route.metadata;
  const destinationName = `${route.kind.toLowerCase()}/${namespace}/${name}`;
  const owner = { kind: route.kind, namespace, protocol: route.kind === 'UDPRoute' ? 'UDP' : 'TCP' } as const;
  const settings: DestinationSetting[] = [];
  const problems: Problem[] = [];
  let k = 0;
  route.spec.rules.forEach((rule, i) => {
    for (const ref of rule.backendRefs) {
      const settingName = `${destinationName}/backend/${k++}`;
      const resolved = resolveBackendRef(ref, owner, settingName, index, options);
      if (!resolved.valid) {
        const { reason, message } = resolved.problem;
        problems.push({ reason, message: `Failed to process route rule ${i}: ${message}` });
      }
      if (ref.weight === 0) continue;
      settings.push(resolved.valid ? resolved.setting : invalidSetting(settingName, ref.weight));
    }
  });
  return { destination: { name: destinationName, settings }, problems };
}

function attachToParent(
  route: L4Route,
  destination: RouteDestination,
  parentRef: ParentReference,
  world: L4World,
): Condition | undefined {
  const { namespace, generation } = route.metadata;
  const rejected = (reason: string, message: string) => condition('Accepted', 'False', reason, message, generation);
  const parent = resolveParent(route.kind, namespace, parentRef, world);
  if (parent.outcome === 'NotOurs') return undefined;
  if (parent.outcome === 'Rejected') return rejected(parent.reason, parent.message);
  const attachable = parent.listeners
    .map((listener) => ({
      listener,
      hostnames: route.kind === 'TLSRoute' ? intersectHostnames(route.spec.hostnames, listener.spec.hostname) : ['*'],
    }))
    .filter((a) => a.hostnames.length > 0);
  if (attachable.length === 0) return rejected('NoMatchingListenerHostname', noHostnameMessage(route.kind));
  for (const { listener, hostnames } of attachable) world.attach(listener, { route, destination, hostnames });
  return condition('Accepted', 'True', 'Accepted', MSG_ROUTE_ACCEPTED, generation);
}

/** Oldest first, then namespace/name: the route that wins a port (TCP, UDP) or an SNI name (TLS). */
export function compareL4Age(a: L4Attachment, b: L4Attachment): number {
  const ta = a.route.metadata.creationTimestamp;
  const tb = b.route.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return compareText(ta, tb);
  }
  return (
    compareText(a.route.metadata.namespace, b.route.metadata.namespace) ||
    compareText(a.route.metadata.name, b.route.metadata.name)
  );
}
