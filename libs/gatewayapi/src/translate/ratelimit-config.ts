import {
  listenerRateLimitDomain,
  sharedRateLimitDomain,
  type RateLimitDescriptor,
  type RateLimitIR,
  type RateLimitRule,
  type XdsIR,
} from '@eg/ir';

/**
 * The ratelimit service's configuration for the Global rules of every route, laid out as Envoy Gateway's:
 * per listener domain a descriptor `route name` -> the rule's selector chain; per shared policy domain a
 * descriptor `rule name` -> the chain, so every route of the policy counts together. Rule indexes count the
 * shared and the other rules of a route separately, matching the route actions libs/xds writes.
 */
export function rateLimitConfigs(irs: ReadonlyMap<string, XdsIR>): Map<string, RateLimitIR> {
  // Per domain, descriptors by `key=value`: a route on two listeners of a port, or a shared rule on many
  // routes, is described once.
  const domains = new Map<string, Map<string, RateLimitDescriptor>>();
  const add = (domain: string, descriptor: RateLimitDescriptor) => {
    const descriptors = domains.get(domain) ?? new Map<string, RateLimitDescriptor>();
    domains.set(domain, descriptors);
    const id = `${descriptor.key}=${descriptor.value ?? ''}`;
    if (!descriptors.has(id)) descriptors.set(id, descriptor);
  };
  for (const ir of irs.values()) {
    for (const listener of ir.http) {
      const domain = listenerRateLimitDomain(listener, ir.http);
      for (const route of listener.routes) {
        const rules = route.rateLimit?.global?.rules ?? [];
        const own = rules.filter((r) => !r.shared);
        if (own.length > 0) {
          add(domain, { key: route.name, value: route.name, descriptors: own.map(selectorChain) });
        }
        rules
          .filter((r) => r.shared)
          .forEach((rule, k) => {
            add(sharedRateLimitDomain(rule.name), {
              key: rule.name,
              value: rule.name,
              descriptors: [selectorChain(rule, k)],
            });
          });
      }
    }
  }
  return new Map(
    [...domains.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([domain, descriptors]) => [domain, { domain, descriptors: [...descriptors.values()] }]),
  );
}

/**
 * One level per selector, in the order of the route's actions: header matches (`rule-<k>-match-<j>`, no value
 * for Distinct), then the masked client address (and each address for Distinct), or `rule-<k>-match--1` for a
 * rule without selectors. The limit sits on the last level.
 */
function selectorChain(rule: RateLimitRule, k: number): RateLimitDescriptor {
  const levels: { key: string; value?: string }[] = rule.headerMatches.map((m, j) => {
    const key = `rule-${k}-match-${j}`;
    return m.distinct ? { key } : { key, value: key };
  });
  if (rule.cidrMatch) {
    levels.push({ key: 'masked_remote_address', value: rule.cidrMatch.cidr });
    if (rule.cidrMatch.distinct) levels.push({ key: 'remote_address' });
  }
  if (levels.length === 0) levels.push({ key: `rule-${k}-match--1`, value: `rule-${k}-match--1` });
  let chain: RateLimitDescriptor | undefined;
  for (const level of levels.reverse()) {
    chain = chain
      ? { ...level, descriptors: [chain] }
      : { ...level, limit: { requests: rule.limit.requests, unit: rule.limit.unit }, descriptors: [] };
  }
  return chain!;
}
