import type { CounterIncrement, CounterStore } from './fixed-window.ts';
import { recordRedisError } from './metrics.ts';
import { RedisClient, RedisReplyError, type RedisClientOptions } from './redis-client.ts';

export interface RedisCounterStoreOptions extends RedisClientOptions {
  readonly now?: () => number;
}

/**
 * Counters in Redis, shared by every ratelimit replica. Each increment is `INCRBY key hits` followed by
 * `EXPIRE key <seconds until the window ends>`, all in one pipelined write. The EXPIRE is sent every time rather than
 * only after the first INCRBY: that would need a second round trip, and a replica dying in between would
 * leave a counter that never expires. Repeating it is harmless since every replica aims at the same window
 * end (the key names the window), and it works on any Redis version, unlike `EXPIRE ... NX` (7.0+).
 */
export class RedisCounterStore implements CounterStore {
  readonly client: RedisClient;
  private readonly now: () => number;

  constructor(opts: RedisCounterStoreOptions) {
    this.client = new RedisClient(opts);
    this.now = opts.now ?? Date.now;
  }

  async increment(requests: readonly CounterIncrement[]): Promise<number[]> {
    try {
      return await this.incrementAll(requests);
    } catch (err) {
      recordRedisError(err);
      throw err;
    }
  }

  private async incrementAll(requests: readonly CounterIncrement[]): Promise<number[]> {
    const now = this.now();
    const commands = requests.flatMap(({ key, hits, expiresAt }) => [
      ['INCRBY', key, String(hits)],
      ['EXPIRE', key, String(Math.max(1, Math.ceil((expiresAt - now) / 1000)))],
    ]);
    const replies = await this.client.pipeline(commands);
    return requests.map((r, i) => {
      const reply = replies[2 * i];
      if (typeof reply !== 'number') {
        throw new RedisReplyError(`INCRBY ${r.key} answered ${JSON.stringify(reply)}, not an integer`);
      }
      return reply;
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
