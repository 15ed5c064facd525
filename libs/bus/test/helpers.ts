import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Snapshot, SubscribeOptions, WatchableMap } from '../src/index.ts';

/** Deletes every stream (KV and object store buckets), so each test starts from an empty server. */
export async function deleteAllStreams(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

/** Reads snapshots one at a time with a deadline, so a missing snapshot fails the test instead of hanging it. */
export class SnapshotReader<T> {
  private readonly iterator: AsyncIterator<Snapshot<T>>;
  private readonly abort = new AbortController();
  private pending: Promise<IteratorResult<Snapshot<T>>> | undefined;

  constructor(map: WatchableMap<T>, opts: Omit<SubscribeOptions, 'signal'> = {}) {
    this.iterator = map.subscribe({ ...opts, signal: this.abort.signal })[Symbol.asyncIterator]();
  }

  async next(timeoutMs = 5000): Promise<Snapshot<T>> {
    const result = await this.raw(timeoutMs);
    if (result === 'timeout') throw new Error(`no snapshot within ${timeoutMs} ms`);
    if (result.done) throw new Error('subscription ended');
    return result.value;
  }

  /** Asserts nothing arrives within `ms`. */
  async nothingWithin(ms: number): Promise<void> {
    const result = await this.raw(ms);
    if (result !== 'timeout') throw new Error(`unexpected snapshot: ${JSON.stringify(result.value?.updates)}`);
  }

  /** Reads until `done` holds for a snapshot; returns all snapshots read. */
  async until(done: (s: Snapshot<T>) => boolean, timeoutMs = 10_000): Promise<Snapshot<T>[]> {
    const deadline = performance.now() + timeoutMs;
    const seen: Snapshot<T>[] = [];
    for (;;) {
      const s = await this.next(Math.max(1, deadline - performance.now()));
      seen.push(s);
      if (done(s)) return seen;
    }
  }

  /** Ends the subscription through its signal, which works even while a next() is waiting. */
  async close(): Promise<void> {
    this.abort.abort();
    // Whatever the in-flight read ends with was already reported to the test that read it.
    await this.pending?.catch(() => undefined);
    await this.iterator.return?.();
  }

  /** The in-flight next() is kept across a timeout, so no snapshot is lost. */
  private async raw(timeoutMs: number): Promise<IteratorResult<Snapshot<T>> | 'timeout'> {
    this.pending ??= this.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const result = await Promise.race([this.pending, timeout]);
      if (result !== 'timeout') this.pending = undefined;
      return result;
    } catch (err) {
      this.pending = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

export const values = <T>(s: Snapshot<T>): Record<string, T> =>
  Object.fromEntries([...s.state].map(([key, entry]) => [key, entry.value]));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
