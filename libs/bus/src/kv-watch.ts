import { setTimeout as sleep } from 'node:timers/promises';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { BusError } from './errors.ts';
import { isStreamNotFound } from './jetstream-errors.ts';

export type WatchEvent = { readonly type: 'entry'; readonly entry: KvWatchEntry } | { readonly type: 'replay-done' };

export interface WatchContext {
  readonly kv: KV;
  isClosed(): boolean;
  /** Calls `listener` after the client reconnected; returns a function that removes it. */
  onReconnect(listener: () => void): () => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * Every entry of a bucket, in order: first the last value of each key (then `replay-done`), then each
 * change. Survives server restarts: when the watch ends, or the client reconnects, a new watch resumes
 * after the last revision seen (the ordered consumer would otherwise wait up to a minute of missed
 * heartbeats before it notices the server lost it). Ends when the signal aborts or the connection closes.
 */
export async function* watchBucket(ctx: WatchContext, signal: AbortSignal): AsyncGenerator<WatchEvent> {
  let lastRevision = 0;
  let replayDone = false;
  let failures = 0;
  while (!signal.aborted && !ctx.isClosed()) {
    let iter: QueuedIterator<KvWatchEntry>;
    try {
      if (lastRevision === 0 && !replayDone && (await ctx.kv.status()).values === 0) {
        // An empty bucket replays nothing, so no entry with delta 0 would ever end the replay.
        // A write racing with this check arrives later as a change, which is just as consistent.
        replayDone = true;
        yield { type: 'replay-done' };
      }
      iter = await ctx.kv.watch(lastRevision > 0 ? { resumeFromRevision: lastRevision + 1 } : {});
    } catch (err) {
      if (signal.aborted || ctx.isClosed()) return;
      if (isStreamNotFound(err)) {
        throw new BusError('the bucket was deleted', { cause: err });
      }
      // JetStream answers only some time after a restarted server accepts connections, and NATS may be
      // down for a while: keep trying as long as the client does.
      failures++;
      await sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures), undefined, { signal }).catch(() => undefined);
      continue;
    }
    failures = 0;
    const stop = (): void => iter.stop();
    signal.addEventListener('abort', stop);
    const removeReconnect = ctx.onReconnect(stop);
    try {
      for await (const entry of iter) {
        // A resumed watch can repeat what the previous one delivered.
        if (entry.revision > lastRevision) {
          lastRevision = entry.revision;
          yield { type: 'entry', entry };
        }
        if (!replayDone && entry.delta === 0) {
          replayDone = true;
          yield { type: 'replay-done' };
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      removeReconnect();
      iter.stop();
    }
  }
}
