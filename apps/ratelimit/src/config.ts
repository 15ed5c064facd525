import type { RateLimitDescriptor, RateLimitIR, RateLimitUnit } from '@eg/ir';

export interface Limit {
  readonly requests: number;
  readonly unit: RateLimitUnit;
}

/** One level of a domain's descriptor tree: children by `key=value`, and by `key` alone for any value. */
interface DescriptorNode {
  readonly limit: Limit | undefined;
  readonly exact: ReadonlyMap<string, DescriptorNode>;
  readonly anyValue: ReadonlyMap<string, DescriptorNode>;
}

export interface DescriptorEntry {
  readonly key: string;
  readonly value: string;
}

/** The rate-limit configuration of every domain, immutable so it can be swapped while requests run. */
export class RateLimitConfig {
  private readonly domains: ReadonlyMap<string, DescriptorNode>;

  constructor(irs: readonly RateLimitIR[]) {
    this.domains = new Map(irs.map((ir) => [ir.domain, buildNode(undefined, ir.descriptors)]));
  }

  get domainCount(): number {
    return this.domains.size;
  }

  /**
   * The limit for a request descriptor, as envoyproxy/ratelimit matches it: walk the entries level by level,
   * preferring an exact `key=value` match over a `key` that matches any value; the whole descriptor must match.
   */
  limitFor(domain: string, entries: readonly DescriptorEntry[]): Limit | undefined {
    let node = this.domains.get(domain);
    for (const { key, value } of entries) {
      if (!node) return undefined;
      node = node.exact.get(`${key}=${value}`) ?? node.anyValue.get(key);
    }
    return entries.length > 0 ? node?.limit : undefined;
  }
}

function buildNode(limit: Limit | undefined, descriptors: readonly RateLimitDescriptor[]): DescriptorNode {
  const exact = new Map<string, DescriptorNode>();
  const anyValue = new Map<string, DescriptorNode>();
  for (const d of descriptors) {
    const child = buildNode(d.limit, d.descriptors);
    if (d.value === undefined) anyValue.set(d.key, child);
    else exact.set(`${d.key}=${d.value}`, child);
  }
  return { limit, exact, anyValue };
}

export const UNIT_SECONDS: Readonly<Record<RateLimitUnit, number>> = {
  Second: 1,
  Minute: 60,
  Hour: 3600,
  Day: 86400,
};
