/**
 * Rate-limit IR: the descriptor configuration the ratelimit service enforces for one IR key.
 * The domain is the IR key, so fleets never share counters by accident.
 */

export interface RateLimitIR {
  readonly domain: string;
  readonly descriptors: readonly RateLimitDescriptor[];
}

export type RateLimitUnit = 'Second' | 'Minute' | 'Hour' | 'Day';

export interface RateLimitDescriptor {
  readonly key: string;
  /** Absent: every distinct value gets its own counter. */
  readonly value?: string;
  readonly limit?: { readonly requests: number; readonly unit: RateLimitUnit };
  readonly descriptors: readonly RateLimitDescriptor[];
}
