import { UNIT_SECONDS, type DescriptorEntry, type Limit, type RateLimitConfig } from './config.ts';
import type { CounterIncrement, CounterStore } from './fixed-window.ts';

export interface RateLimitRequest {
  readonly domain: string;
  readonly descriptors: readonly { readonly entries: readonly DescriptorEntry[] }[];
  /** 0 in the request means 1, as Envoy sends it. */
  readonly hitsAddend: number;
}

export type Code = 'OK' | 'OVER_LIMIT';

export interface DescriptorStatus {
  readonly code: Code;
  readonly currentLimit?: Limit;
  readonly limitRemaining: number;
  /** Seconds until the window resets. */
  readonly durationUntilReset?: number;
}

export interface Decision {
  readonly overallCode: Code;
  readonly statuses: readonly DescriptorStatus[];
}

/**
 * ShouldRateLimit: counts the hits in each limited descriptor's current fixed window; the request is over
 * the limit when any descriptor is. Descriptors without a configured limit are OK and never counted.
 */
export async function decide(
  config: RateLimitConfig,
  store: CounterStore,
  request: RateLimitRequest,
  nowMs: number,
): Promise<Decision> {
  const hits = request.hitsAddend > 0 ? request.hitsAddend : 1;
  const limited: { index: number; limit: Limit; windowEnd: number }[] = [];
  const increments: CounterIncrement[] = [];
  request.descriptors.forEach((descriptor, index) => {
    const limit = config.limitFor(request.domain, descriptor.entries);
    if (!limit) return;
    const windowMs = UNIT_SECONDS[limit.unit] * 1000;
    const windowStart = Math.floor(nowMs / windowMs) * windowMs;
    limited.push({ index, limit, windowEnd: windowStart + windowMs });
    increments.push({
      key: counterKey(request.domain, descriptor.entries, windowStart),
      hits,
      expiresAt: windowStart + windowMs,
    });
  });
  const totals = increments.length > 0 ? await store.increment(increments) : [];
  const statuses: DescriptorStatus[] = request.descriptors.map(() => ({ code: 'OK', limitRemaining: 0 }));
  limited.forEach(({ index, limit, windowEnd }, i) => {
    const total = totals[i] ?? 0;
    statuses[index] = {
      code: total > limit.requests ? 'OVER_LIMIT' : 'OK',
      currentLimit: limit,
      limitRemaining: Math.max(0, limit.requests - total),
      durationUntilReset: Math.ceil((windowEnd - nowMs) / 1000),
    };
  });
  return { overallCode: statuses.some((s) => s.code === 'OVER_LIMIT') ? 'OVER_LIMIT' : 'OK', statuses };
}

/**
 * envoyproxy/ratelimit's cache key, `<domain>_<key>_<value>_..._<window start in epoch seconds>`, so replicas
 * of either implementation sharing one Redis count into the same keys.
 */
export function counterKey(domain: string, entries: readonly DescriptorEntry[], windowStartMs: number): string {
  let key = `${domain}_`;
  for (const { key: k, value } of entries) key += `${k}_${value}_`;
  return key + String(windowStartMs / 1000);
}
