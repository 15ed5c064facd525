import type { BackendTrafficPolicy } from '../resources.ts';
import { attachRoutePolicies, type PolicyWorld, type RoutePolicies } from './policy-attachment.ts';
import { compileRateLimit } from './ratelimit-policy.ts';

/** Attaches BackendTrafficPolicies (see attachPolicies for precedence and status): they set routes' rate limits. */
export function attachTrafficPolicies(world: Omit<PolicyWorld<BackendTrafficPolicy>, 'invalid'>): RoutePolicies {
  return attachRoutePolicies(world, compileRateLimit, (route, rateLimit) =>
    rateLimit ? { ...route, rateLimit } : route,
  );
}
