import type { Condition, HTTPRoute as IRRoute, ResourceStatus } from '@eg/ir';
import { GATEWAY_API_GROUP, type ObjectMeta, type PolicyTargetReference } from '../resources.ts';
import { sentence, type Problem } from './conditions.ts';
import type { GatewayContext } from './httproute.ts';
import type { RoutableRoute } from './httproute-rules.ts';
import type { ListenerContext } from './listeners.ts';
import type { RankedRoute } from './precedence.ts';
import { gatewayAncestor, MSG_POLICY_ACCEPTED, PolicyStatuses, type AncestorRef } from './policy-status.ts';

/** Envoy Gateway's policy kinds that attach to Gateways, listeners, routes and route rules. */
export type AttachedPolicyKind = 'BackendTrafficPolicy' | 'SecurityPolicy';

export interface TargetedPolicy {
  readonly kind: AttachedPolicyKind;
  readonly metadata: ObjectMeta;
  readonly spec: { readonly targetRefs: readonly PolicyTargetReference[] };
}

export interface PolicyWorld<P extends TargetedPolicy> {
  /** Oldest first (then namespace/name): the order in which policies claim their targets. */
  readonly policies: readonly P[];
  /** The HTTPRoutes and GRPCRoutes policies may target. */
  readonly routes: readonly RoutableRoute[];
  /** Managed Gateways by `<namespace>/<name>`. */
  readonly managed: ReadonlyMap<string, GatewayContext>;
  /** The routes attached to each listener. */
  readonly listenerRoutes: ReadonlyMap<ListenerContext, readonly RankedRoute[]>;
  /** Why a policy cannot be translated (it is then Invalid), or undefined when it can. */
  invalid(policy: P): string | undefined;
}

/** Which policy applies to each route, and the policies' statuses. */
export interface AttachedPolicies<P> {
  /** The most specific policy that applies to the route on this listener. */
  policyFor(listener: ListenerContext, route: RankedRoute): P | undefined;
  readonly statuses: readonly ResourceStatus[];
}

/** What a policy asks of every route it applies to, or why it cannot be translated. */
export type CompiledPolicy<T> =
  { readonly valid: true; readonly value: T } | { readonly valid: false; readonly message: string };

/** The policies of one kind that apply to each route, and their statuses. */
export interface RoutePolicies {
  /** The route as the most specific policy that applies to it on this listener changes it. */
  applyTo(listener: ListenerContext, route: RankedRoute): IRRoute;
  readonly statuses: readonly ResourceStatus[];
}

/**
 * Attaches policies of one kind (see attachPolicies) and applies each route's policy with `apply`. A policy that
 * cannot be translated is Invalid and its routes answer 500, as Envoy Gateway does: a route is never served
 * unlimited or unauthenticated because its policy is broken.
 */
export function attachRoutePolicies<P extends TargetedPolicy, T>(
  world: Omit<PolicyWorld<P>, 'invalid'>,
  compile: (policy: P) => CompiledPolicy<T>,
  apply: (route: IRRoute, value: T) => IRRoute,
): RoutePolicies {
  const compiled = new Map(world.policies.map((p) => [p, compile(p)]));
  const attached = attachPolicies({
    ...world,
    invalid: (policy) => {
      const result = compiled.get(policy)!;
      return result.valid ? undefined : result.message;
    },
  });
  return {
    statuses: attached.statuses,
    applyTo(listener, ranked) {
      const policy = attached.policyFor(listener, ranked);
      if (!policy) return ranked.route;
      const result = compiled.get(policy)!;
      if (!result.valid) return { ...ranked.route, action: { type: 'DirectResponse', statusCode: 500 } };
      return apply(ranked.route, result.value);
    },
  };
}

type Level = 'rule' | 'route' | 'listener' | 'gateway';
type SetCondition<P> = (policy: P, ref: AncestorRef, c: Omit<Condition, 'observedGeneration'>) => void;

/**
 * Attaches policies of one kind with Envoy Gateway's precedence: a policy on a route rule (sectionName) beats
 * one on the route, which beats one on the Gateway listener (sectionName), which beats one on the whole
 * Gateway. At each level the oldest policy (then namespace/name) claims a target and later ones are Conflicted.
 * A target that does not exist gets no status: another controller may own it.
 */
export function attachPolicies<P extends TargetedPolicy>(world: PolicyWorld<P>): AttachedPolicies<P> {
  const routes = new Map(world.routes.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r]));
  const byLevel: Record<Level, Map<string, P>> = {
    rule: new Map(),
    route: new Map(),
    listener: new Map(),
    gateway: new Map(),
  };
  const status = new PolicyStatuses<P>();
  const setCondition: SetCondition<P> = (policy, ref, c) => status.set(policy, ref, c);
  const invalid = new Map(world.policies.map((p) => [p, world.invalid(p)]));
  const outcome = (policy: P, refs: readonly AncestorRef[], problem?: Problem) => {
    const message = invalid.get(policy);
    const c = problem
      ? { type: 'Accepted', status: 'False' as const, ...problem }
      : message !== undefined
        ? { type: 'Accepted', status: 'False' as const, reason: 'Invalid', message: sentence(message) }
        : { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: MSG_POLICY_ACCEPTED };
    for (const ref of refs) setCondition(policy, ref, c);
  };
  const claim = (level: Level, key: string, policy: P): boolean => {
    if (byLevel[level].has(key)) return false;
    byLevel[level].set(key, policy);
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
      const route = routes.get(`${target.kind}/${policy.metadata.namespace}/${target.name}`);
      if (!route) continue;
      const refs = routeAncestors(route, world.managed);
      const routeKey = `${route.metadata.namespace}/${route.metadata.name}`;
      // An HTTPRoute and a GRPCRoute may share a name: the kind keeps their claims apart.
      const claimKey = `${route.kind}/${routeKey}`;
      if (target.sectionName !== undefined) {
        if (!route.spec.rules.some((r) => r.name === target.sectionName)) {
          outcome(policy, refs, notFound(target, routeKey));
        } else if (!claim('rule', `${claimKey}/${target.sectionName}`, policy)) {
          outcome(policy, refs, conflicted(policy, `route rule ${routeKey}/${target.sectionName}`));
        } else outcome(policy, refs);
      } else if (!claim('route', claimKey, policy)) {
        outcome(policy, refs, conflicted(policy, `${route.kind} ${target.name}`));
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
        } else if (!claim('listener', `${gatewayKey}/${target.sectionName}`, policy)) {
          outcome(policy, [ref], conflicted(policy, `Listener ${gatewayKey}/${target.sectionName}`));
        } else outcome(policy, [ref]);
      } else if (!claim('gateway', gatewayKey, policy)) {
        outcome(policy, [ref], conflicted(policy, `Gateway ${target.name}`));
      } else outcome(policy, [ref]);
    }
  }

  const policyFor = (listener: ListenerContext, route: RankedRoute): P | undefined => {
    const routeKey = `${route.source.kind}/${route.source.namespace}/${route.source.name}`;
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

  const statuses = status.statuses(world.policies);
  return { statuses, policyFor };
}

function conflicted(policy: TargetedPolicy, what: string): Problem {
  return {
    reason: 'Conflicted',
    message: `Unable to target ${what}, another ${policy.kind} has already attached to it.`,
  };
}

function notFound(target: PolicyTargetReference, key: string): Problem {
  return {
    reason: 'TargetNotFound',
    message: `No section name ${target.sectionName} found for ${target.kind} ${key}.`,
  };
}

/** A route-targeted policy reports on the managed Gateways the route names as parents. */
function routeAncestors(route: RoutableRoute, managed: ReadonlyMap<string, GatewayContext>): AncestorRef[] {
  return route.spec.parentRefs
    .filter((p) => p.group === GATEWAY_API_GROUP && p.kind === 'Gateway')
    .map((p) => ({ namespace: p.namespace ?? route.metadata.namespace, name: p.name, sectionName: p.sectionName }))
    .filter((p) => managed.has(`${p.namespace}/${p.name}`))
    .map((p) => ({
      group: GATEWAY_API_GROUP,
      kind: 'Gateway',
      namespace: p.namespace,
      name: p.name,
      ...(p.sectionName !== undefined && { sectionName: p.sectionName }),
    }));
}

/** `backendTrafficPolicies`, `securityPolicies`: how Envoy Gateway names a kind in Overridden messages. */
function pluralName(kind: AttachedPolicyKind): string {
  const plural = kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  return plural.charAt(0).toLowerCase() + plural.slice(1);
}

/**
 * A Gateway (or listener) policy is Overridden where more specific policies take its routes: the message
 * names the listeners and routes that have their own policy, as Envoy Gateway writes it.
 */
function markOverridden<P extends TargetedPolicy>(
  world: PolicyWorld<P>,
  byLevel: Readonly<Record<Level, ReadonlyMap<string, P>>>,
  policyFor: (listener: ListenerContext, route: RankedRoute) => P | undefined,
  setCondition: SetCondition<P>,
): void {
  const scopes = [
    ...[...byLevel.gateway].map(([key, policy]) => ({ key, policy, section: undefined as string | undefined })),
    ...[...byLevel.listener].map(([key, policy]) => ({
      key: key.slice(0, key.lastIndexOf('/')),
      policy,
      section: key.slice(key.lastIndexOf('/') + 1),
    })),
  ];
  for (const { key, policy, section } of scopes) {
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
        if (policyFor(listener, route) !== policy) {
          overriddenRoutes.add(`${route.source.namespace}/${route.source.name}`);
        }
      }
    }
    const parts = [
      ...(overriddenListeners.size > 0 ? [`these listeners: [${[...overriddenListeners].sort().join(' ')}]`] : []),
      ...(overriddenRoutes.size > 0 ? [`these routes: [${[...overriddenRoutes].sort().join(' ')}]`] : []),
    ];
    if (parts.length === 0) continue;
    setCondition(policy, gatewayAncestor(gateway, section), {
      type: 'Overridden',
      status: 'True',
      reason: 'Overridden',
      message: `This policy is being overridden by other ${pluralName(policy.kind)} for ${parts.join(' and ')}`,
    });
  }
}
