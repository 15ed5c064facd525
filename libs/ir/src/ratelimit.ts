/**
 * Rate-limit IR: the descriptor configuration the ratelimit service enforces for one domain, laid out as Envoy
 * Gateway does: a domain per HTTP listener (`<ns>/<gateway>/<listener>`) with a descriptor per route, and a
 * domain per policy with shared rules (`<ns>/<policy>`).
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
  readonly limit?: RateLimitValue;
  readonly descriptors: readonly RateLimitDescriptor[];
}

/** A limit: `requests` per `unit`. */
export interface RateLimitValue {
  readonly requests: number;
  readonly unit: RateLimitUnit;
}

/**
 * A request header a rule selects on: an exact or regex value (the rule counts only matching requests), or
 * `distinct` (every value of the header gets its own counter).
 */
export type RateLimitHeaderMatch =
  | { readonly name: string; readonly distinct: true }
  | {
      readonly name: string;
      readonly distinct?: false;
      readonly match: { readonly type: 'Exact' | 'RegularExpression'; readonly value: string };
    };

/** Client addresses a rule selects on: the whole range shares a counter, or (`distinct`) one per address. */
export interface RateLimitCIDRMatch {
  /** The normalised network, e.g. `10.0.0.0/8`, as Envoy's masked_remote_address action writes it. */
  readonly cidr: string;
  readonly maskLen: number;
  readonly isIPv6: boolean;
  readonly distinct: boolean;
}

/** One BackendTrafficPolicy rate-limit rule, as it applies to one route. */
export interface RateLimitRule {
  /** `<policy namespace>/<policy name>/rule/<index>`, as Envoy Gateway names it. */
  readonly name: string;
  /** All must hold for the rule to count a request; none means every request of the route. */
  readonly headerMatches: readonly RateLimitHeaderMatch[];
  readonly cidrMatch?: RateLimitCIDRMatch;
  readonly limit: RateLimitValue;
  /** Global only: one counter for every route the policy applies to (its own domain, `<ns>/<policy>`). */
  readonly shared?: boolean;
}

/** The rate limits of one IR route (from the BackendTrafficPolicy that applies to it). */
export interface RouteRateLimit {
  /** Counted by the ratelimit service, shared by every Envoy. */
  readonly global?: { readonly rules: readonly RateLimitRule[] };
  /** Token buckets inside each Envoy; `default` limits the requests no rule selects. */
  readonly local?: { readonly default: RateLimitValue; readonly rules: readonly RateLimitRule[] };
}
