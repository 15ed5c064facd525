import { CONTROLLER_NAME, type Condition, type HTTPRoute as IRRoute, type ResourceStatus } from '@eg/ir';
import {
  API_VERSION,
  GATEWAY_API_GROUP,
  type BackendTrafficPolicy,
  type HTTPRoute,
  type PolicyTargetReference,
} from '../resources.ts';
import { condition, sentence } from './conditions.ts';
import type { GatewayContext } from './httproute.ts';
import type { ListenerContext } from './listeners.ts';
import type { RankedRoute } from './precedence.ts';
import { compileRateLimit, type CompiledRateLimit } from './ratelimit-policy.ts';

/** The BackendTrafficPolicies that apply to each route, and the policies' statuses. */
export interface TrafficPolicies {
  /** The route as the most specific policy that applies to it on this listener changes it. */
  applyTo(listener: ListenerContext, route: RankedRoute): IRRoute;
  readonly statuses: readonly ResourceStatus[];
}

export interface PolicyWorld {
  readonly policies: readonly BackendTrafficPolicy[];
  readonly httpRoutes: readonly HTTPRoute[];
  /** Managed Gateways by `<namespace>/<name>`. */
  readonly managed: ReadonlyMap<string, GatewayContext>;
  /** The routes attached to each listener. */
  readonly listenerRoutes: ReadonlyMap<ListenerContext, readonly RankedRoute[]>;
}

interface Attached {
  readonly policy: BackendTrafficPolicy;
  readonly compiled: CompiledRateLimit;
}

interface AncestorRef {
  readonly group: string;
  readonly kind: 'Gateway';
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
}

interface AncestorStatus {
  readonly ancestorRef: AncestorRef;
  readonly controllerName: string;
  readonly conditions: Condition[];
}

const MSG_ACCEPTED = 'Policy has been accepted.';

/**
 * Attaches BackendTrafficPolicies with Envoy Gateway's precedence: a policy on a route rule (sectionName) beats
 * one on the route, which beats one on the Gateway listener (sectionName), which beats one on the whole
 * Gateway. At each level the oldest policy (then namespace/name) claims a target and later ones are Conflicted.
 * A target that does not exist gets no status: another controller may own it.
 */
export function attachTrafficPolicies(world: PolicyWorld): TrafficPolicies {
  const compiled = new Map(world.policies.map((p) => [p, compileRateLimit(p)]));
  const routes = new Map(world.httpRoutes.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
  const byLevel = {
    rule: new Map<string, Attached>(),
    route: new Map<string, Attached>(),
    listener: new Map<string, Attached>(),
    gateway: new Map<string, Attached>(),
  };
  const ancestors = new Map<BackendTrafficPolicy, Map<string, AncestorStatus>>();
  const setCondition = (policy: BackendTrafficPolicy, ref: AncestorRef, c: Omit<Condition, 'observedGeneration'>) => {
    const list = ancestors.get(policy) ?? new Map<string, AncestorStatus>();
    ancestors.set(policy, list);
    const key = JSON.stringify([ref.namespace, ref.name, ref.sectionName ?? '']);
    const entry = list.get(key) ?? { ancestorRef: ref, controllerName: CONTROLLER_NAME, conditions: [] };
    list.set(key, entry);
    // The first outcome for an ancestor stands, as Envoy Gateway sets a condition only when it is unset.
    if (!entry.conditions.some((x) => x.type === c.type)) {
      entry.conditions.push(condition(c.type, c.status, c.reason, c.message, policy.metadata.generation));
    }
  };
  const outcome = (policy: BackendTrafficPolicy, refs: readonly AncestorRef[], problem?: Problem) => {
    const result = compiled.get(policy)!;
    const c = problem
      ? { type: 'Accepted', status: 'False' as const, ...problem }
      : !result.valid
        ? { type: 'Accepted', status: 'False' as const, reason: 'Invalid', message: sentence(result.message) }
        : { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: MSG_ACCEPTED };
    for (const ref of refs) setCondition(policy, ref, c);
  };
  const claim = (level: Map<string, Attached>, key: string, policy: BackendTrafficPolicy): boolean => {
    if (level.has(key)) return false;
    level.set(key, { policy, compiled: compiled.get(policy)! });
    return true;
  };

  const targetsOf = (kind: 'route' | 'gateway', withSection: boolean) =>
    world.policies.flatMap((policy) =>
      policy.spec.targetRefs
        .filter((t) => t.group === GATEWAY_API_GROUP && (t.kind === 'Gateway') === (kind === 'gateway'))
        .filter((t) => (t.sectionName !== undefined) === withSection)
        .map((target) => ({ policy, target })),
    );

  for (const withSection of [true, false]) {
    for (const { policy, target } of targetsOf('route', withSection)) {
      const route = target.kind === 'HTTPRoute' ? routes.get(`${policy.metadata.namespace}/${target.name}`) : undefined;
      if (!route) continue;
      const refs = routeAncestors(route, world);
      const routeKey = `${route.metadata.namespace}/${route.metadata.name}`;
      if (target.sectionName !== undefined) {
        if (!route.spec.rules.some((r) => r.name === target.sectionName)) {
          outcome(policy, refs, notFound(target, routeKey));
        } else if (!claim(byLevel.rule, `${routeKey}/${target.sectionName}`, policy)) {
          outcome(policy, refs, conflicted(`route rule ${routeKey}/${target.sectionName}`));
        } else outcome(policy, refs);
      } else if (!claim(byLevel.route, routeKey, policy)) {
        outcome(policy, refs, conflicted(`HTTPRoute ${target.name}`));
      } else outcome(policy, refs);
    }
  }
  for (const withSection of [true, false]) {
    for (const { policy, target } of targetsOf('gateway', withSection)) {
      const gatewayKey = `${policy.metadata.namespace}/${target.name}`;
      const gateway = world.managed.get(gatewayKey);
      if (!gateway) continue;
      const ref = gatewayAncestor(gateway, target.sectionName);
      if (target.sectionName !== undefined) {
        if (!gateway.listeners.some((l) => l.spec.name === target.sectionName)) {
          outcome(policy, [ref], notFound(target, gatewayKey));
        } else if (!claim(byLevel.listener, `${gatewayKey}/${target.sectionName}`, policy)) {
          outcome(policy, [ref], conflicted(`Listener ${gatewayKey}/${target.sectionName}`));
        } else outcome(policy, [ref]);
      } else if (!claim(byLevel.gateway, gatewayKey, policy)) {
        outcome(policy, [ref], conflicted(`Gateway ${target.name}`));
      } else outcome(policy, [ref]);
    }
  }

  const policyFor = (listener: ListenerContext, route: RankedRoute): Attached | undefined => {
    const routeKey = `${route.source.namespace}/${route.source.name}`;
    const ruleName = route.route.metadata.sectionName;
    const gatewayKey = `${listener.gateway.metadata.namespace}/${listener.gateway.metadata.name}`;
    return (
      (ruleName !== undefined ? byLevel.rule.get(`${routeKey}/${ruleName}`) : undefined) ??
      byLevel.route.get(routeKey) ??
      byLevel.listener.get(`${gatewayKey}/${listener.spec.name}`) ??
      byLevel.gateway.get(gatewayKey)
    );
  };

  markOverridden(world, byLevel, policyFor, setCondition);

  const statuses: ResourceStatus[] = [];
  for (const policy of world.policies) {
    const list = ancestors.get(policy);
    if (!list) continue;
    const { namespace, name } = policy.metadata;
    statuses.push({
      kind: 'BackendTrafficPolicy',
      apiVersion: API_VERSION.BackendTrafficPolicy,
      namespace,
      name,
      status: { ancestors: [...list.values()] },
    });
  }

  return {
    statuses,
    applyTo(listener, ranked) {
      const attached = policyFor(listener, ranked);
      if (!attached) return ranked.route;
      // Envoy Gateway answers 500 on the routes of a policy it cannot translate rather than serve them unlimited.
      if (!attached.compiled.valid) return { ...ranked.route, action: { type: 'DirectResponse', statusCode: 500 } };
      const { rateLimit } = attached.compiled;
      return rateLimit ? { ...ranked.route, rateLimit } : ranked.route;
    },
  };
}

interface Problem {
  readonly reason: string;
  readonly message: string;
}

function notFound(target: PolicyTargetReference, key: string): Problem {
  return {
    reason: 'TargetNotFound',
    message: `No section name ${target.sectionName} found for ${target.kind} ${key}.`,
  };
}

function conflicted(what: string): Problem {
  return {
    reason: 'Conflicted',
    message: `Unable to target ${what}, another BackendTrafficPolicy has already attached to it.`,
  };
}

/** A route-targeted policy reports on the managed Gateways the route names as parents. */
function routeAncestors(route: HTTPRoute, world: PolicyWorld): AncestorRef[] {
  return route.spec.parentRefs
    .filter((p) => p.group === GATEWAY_API_GROUP && p.kind === 'Gateway')
    .map((p) => ({ namespace: p.namespace ?? route.metadata.namespace, name: p.name, sectionName: p.sectionName }))
    .filter((p) => world.managed.has(`${p.namespace}/${p.name}`))
    .map((p) => ({
      group: GATEWAY_API_GROUP,
      kind: 'Gateway',
      namespace: p.namespace,
      name: p.name,
      ...(p.sectionName !== undefined && { sectionName: p.sectionName }),
    }));
}

function gatewayAncestor(gateway: GatewayContext, sectionName: string | undefined): AncestorRef {
  const { namespace, name } = gateway.gateway.metadata;
  return {
    group: GATEWAY_API_GROUP,
    kind: 'Gateway',
    namespace,
    name,
    ...(sectionName !== undefined && { sectionName }),
  };
}

/**
 * A Gateway (or listener) policy is Overridden where more specific policies take its routes: the message
 * names the listeners and routes that have their own policy, as Envoy Gateway writes it.
 */
function markOverridden(
  world: PolicyWorld,
  byLevel: Readonly<Record<'rule' | 'route' | 'listener' | 'gateway', ReadonlyMap<string, Attached>>>,
  policyFor: (listener: ListenerContext, route: RankedRoute) => Attached | undefined,
  setCondition: (policy: BackendTrafficPolicy, ref: AncestorRef, c: Omit<Condition, 'observedGeneration'>) => void,
): void {
  const scopes = [
    ...[...byLevel.gateway].map(([key, attached]) => ({ key, attached, section: undefined as string | undefined })),
    ...[...byLevel.listener].map(([key, attached]) => ({
      key: key.slice(0, key.lastIndexOf('/')),
      attached,
      section: key.slice(key.lastIndexOf('/') + 1),
    })),
  ];
  for (const { key, attached, section } of scopes) {
    const gateway = world.managed.get(key)!;
    const listeners = gateway.listeners.filter((l) => section === undefined || l.spec.name === section);
    const overriddenListeners = new Set<string>();
    const overriddenRoutes = new Set<string>();
    for (const listener of listeners) {
      if (section === undefined && byLevel.listener.has(`${key}/${listener.spec.name}`)) {
        overriddenListeners.add(listener.spec.name);
        continue;
      }
      for (const route of world.listenerRoutes.get(listener) ?? []) {
        if (policyFor(listener, route)?.policy !== attached.policy) {
          overriddenRoutes.add(`${route.source.namespace}/${route.source.name}`);
        }
      }
    }
    const parts = [
      ...(overriddenListeners.size > 0 ? [`these listeners: [${[...overriddenListeners].sort().join(' ')}]`] : []),
      ...(overriddenRoutes.size > 0 ? [`these routes: [${[...overriddenRoutes].sort().join(' ')}]`] : []),
    ];
    if (parts.length === 0) continue;
    setCondition(attached.policy, gatewayAncestor(gateway, section), {
      type: 'Overridden',
      status: 'True',
      reason: 'Overridden',
      message: `This policy is being overridden by other backendTrafficPolicies for ${parts.join(' and ')}`,
    });
  }
}
