import type { HTTPRoute as IRRoute, ResourceStatus } from '@eg/ir';
import type { BackendTrafficPolicy } from '../resources.ts';
import type { ListenerContext } from './listeners.ts';
import { attachPolicies, type PolicyWorld } from './policy-attachment.ts';
import type { RankedRoute } from './precedence.ts';
import { compileRateLimit } from './ratelimit-policy.ts';

/** The BackendTrafficPolicies that apply to each route, and the policies' statuses. */
export interface TrafficPolicies {
  /** The route as the most specific policy that applies to it on this listener changes it. */
  applyTo(listener: ListenerContext, route: RankedRoute): IRRoute;
  readonly statuses: readonly ResourceStatus[];
}

/** Attaches BackendTrafficPolicies (see attachPolicies for precedence and status). */
export function attachTrafficPolicies(world: Omit<PolicyWorld<BackendTrafficPolicy>, 'invalid'>): TrafficPolicies {
  const compiled = new Map(world.policies.map((p) => [p, compileRateLimit(p)]));
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
      // Envoy Gateway answers 500 on the routes of a policy it cannot translate rather than serve them unlimited.
      if (!result.valid) return { ...ranked.route, action: { type: 'DirectResponse', statusCode: 500 } };
      const { rateLimit } = result;
      return rateLimit ? { ...ranked.route, rateLimit } : ranked.route;
    },
  };
}
