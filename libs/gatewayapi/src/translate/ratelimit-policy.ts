import type { RateLimitHeaderMatch, RateLimitRule, RateLimitValue, RouteRateLimit } from '@eg/ir';
import { parseCIDR } from '../load/cidr.ts';
import type { BackendTrafficPolicy, RateLimitRuleSpec } from '../resources.ts';
import type { CompiledPolicy } from './policy-attachment.ts';
import { isValidRegex } from './regex.ts';

/** Envoy Gateway's default for Local limits without a rule lacking clientSelectors: effectively unlimited. */
const UNLIMITED: RateLimitValue = { requests: 4294967295, unit: 'Second' };

/** What a policy's `rateLimit` becomes on every route it applies to (nothing without one). */
export function compileRateLimit(policy: BackendTrafficPolicy): CompiledPolicy<RouteRateLimit | undefined> {
  const spec = policy.spec.rateLimit;
  if (!spec) return { valid: true, value: undefined };
  const { namespace, name } = policy.metadata;
  const ruleName = (i: number) => `${namespace}/${name}/rule/${i}`;
  const badRegex = spec.rules
    .flatMap((r) => r.clientSelectors.flatMap((s) => s.headers))
    .find((h) => h.type === 'RegularExpression' && !isValidRegex(h.value));
  if (badRegex && badRegex.type === 'RegularExpression') {
    return { valid: false, message: `invalid regular expression ${JSON.stringify(badRegex.value)}` };
  }
  if (spec.type === 'Global') {
    return {
      valid: true,
      value: { global: { rules: spec.rules.map((r, i) => irRule(r, ruleName(i), r.shared)) } },
    };
  }
  // The rule without clientSelectors (the loader allows one) is the route's default bucket.
  const fallback = spec.rules.find((r) => r.clientSelectors.length === 0);
  const rules = spec.rules
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.clientSelectors.length > 0)
    .map(({ r, i }) => irRule(r, ruleName(i), false));
  return { valid: true, value: { local: { default: fallback?.limit ?? UNLIMITED, rules } } };
}

/** All selectors of a rule must hold, so their conditions join into one (as Envoy Gateway does). */
function irRule(rule: RateLimitRuleSpec, name: string, shared: boolean): RateLimitRule {
  const headerMatches: RateLimitHeaderMatch[] = rule.clientSelectors.flatMap((s) =>
    s.headers.map((h): RateLimitHeaderMatch =>
      h.type === 'Distinct'
        ? { name: h.name, distinct: true }
        : { name: h.name, match: { type: h.type, value: h.value } },
    ),
  );
  const source = rule.clientSelectors.findLast((s) => s.sourceCIDR)?.sourceCIDR;
  // The loader checked the CIDR.
  const parsed = source && parseCIDR(source.value);
  return {
    name,
    headerMatches,
    ...(parsed && { cidrMatch: { ...parsed, distinct: source.type === 'Distinct' } }),
    limit: rule.limit,
    ...(shared && { shared: true }),
  };
}
