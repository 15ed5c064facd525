import { GATEWAY_API_GROUP, type ParentReference } from '../resources.ts';
import type { GatewayContext } from './httproute.ts';
import type { ListenerContext } from './listeners.ts';

/** What every route kind sees of the Gateways: the managed ones and the names of all. */
export interface ParentWorld {
  /** Managed Gateways by `<namespace>/<name>`. */
  readonly managed: ReadonlyMap<string, GatewayContext>;
  /** Every Gateway by `<namespace>/<name>`, to tell "not ours" from "does not exist". */
  readonly allGateways: ReadonlySet<string>;
}

/** Where one parentRef leads: not this controller's, refused with an Accepted reason, or the listeners that take the route. */
export type ParentResolution =
  | { readonly outcome: 'NotOurs' }
  | { readonly outcome: 'Rejected'; readonly reason: string; readonly message: string }
  | { readonly outcome: 'Allowed'; readonly listeners: readonly ListenerContext[] };

export const MSG_ROUTE_ACCEPTED = 'Route is accepted';
export const MSG_ROUTE_RESOLVED = 'Resolved all the Object references for the Route';
const MSG_NO_MATCHING_PARENT = 'No listeners match this parent ref';
const MSG_NOT_ALLOWED = 'No listeners included by this parent ref allowed this attachment.';

export const noHostnameMessage = (kind: string) =>
  `There were no hostname intersections between the ${kind} and this parent ref's Listener(s).`;

/** The listeners a parentRef selects (sectionName, port) whose allowedRoutes admit a route of `kind` from `namespace`. */
export function resolveParent(
  kind: string,
  namespace: string,
  parentRef: ParentReference,
  world: ParentWorld,
): ParentResolution {
  if (parentRef.group !== GATEWAY_API_GROUP || parentRef.kind !== 'Gateway') return { outcome: 'NotOurs' };
  const key = `${parentRef.namespace ?? namespace}/${parentRef.name}`;
  const parent = world.managed.get(key);
  if (!parent) {
    return world.allGateways.has(key)
      ? { outcome: 'NotOurs' }
      : { outcome: 'Rejected', reason: 'NoMatchingParent', message: `Gateway ${key} not found` };
  }
  const selected = parent.listeners.filter(
    (l) =>
      (parentRef.sectionName === undefined || parentRef.sectionName === l.spec.name) &&
      (parentRef.port === undefined || parentRef.port === l.spec.port),
  );
  if (selected.length === 0)
    return { outcome: 'Rejected', reason: 'NoMatchingParent', message: MSG_NO_MATCHING_PARENT };
  const allowed = selected.filter((l) => l.allowsRoute(kind, namespace));
  if (allowed.length === 0) return { outcome: 'Rejected', reason: 'NotAllowedByListeners', message: MSG_NOT_ALLOWED };
  return { outcome: 'Allowed', listeners: allowed };
}
