/**
 * Counters for fixed windows. An interface so the Redis store (shared by replicas) can replace the in-memory
 * one; both count `hits` into the window that `windowStart` names and return the new totals.
 */
export interface CounterStore {
  increment(requests: readonly CounterIncrement[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface CounterIncrement {
  /** Domain + descriptor entries + window start: one counter per window. */
  readonly key: string;
  readonly hits: number;
  /** When the window ends (epoch ms); the counter may be forgotten after that. */
  readonly expiresAt: number;
}

/** A single replica's counters. Expired windows are swept as time passes so memory stays bounded. */
export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get size(): number {
    return this.counters.size;
  }

  async increment(requests: readonly CounterIncrement[]): Promise<number[]> {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    return requests.map(({ key, hits, expiresAt }) => {
      const counter = this.counters.get(key);
      if (counter && counter.expiresAt > now) {
        counter.count += hits;
        return counter.count;
      }
      this.counters.set(key, { count: hits, expiresAt });
      return hits;
    });
  }

  private sweep(now: number): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    this.nextSweep = now + 1000;
  }

  async close(): Promise<void> {
    this.counters.clear();
  }
}
