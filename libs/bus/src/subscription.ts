import { SnapshotCoalescer } from './coalescer.ts';
import type { Entry, Snapshot, SubscribeOptions } from './types.ts';

/** A decoded change read from a bucket, in bucket order. */
export type BucketEvent<T> =
  | { readonly type: 'put'; readonly entry: Entry<T> }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'commit' }
  | { readonly type: 'replay-done' };

export const DEFAULT_DEBOUNCE_MS = 50;

/**
 * Turns a bucket's events into snapshots for one consumer. A pump reads events as fast as they come and
 * folds them into the coalescer, whatever the consumer is doing, so a slow consumer finds one merged
 * snapshot instead of a backlog. The first snapshot is yielded as soon as the replay is done; later ones
 * wait `debounceMs` after the first change they carry.
 */
export async function* coalescedSnapshots<T>(
  events: (signal: AbortSignal) => AsyncIterable<BucketEvent<T>>,
  opts: SubscribeOptions = {},
): AsyncGenerator<Snapshot<T>> {
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const coalescer = new SnapshotCoalescer<T>(opts.atCommit ?? false);
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;

  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  let ended = false;
  let failure: { readonly error: unknown } | undefined;
  /** When the oldest change not yet yielded arrived. */
  let pendingSince: number | undefined;

  const pump = (async () => {
    try {
      for await (const event of events(signal)) {
        if (event.type === 'put') coalescer.put(event.entry);
        else if (event.type === 'delete') coalescer.delete(event.key);
        else if (event.type === 'commit') coalescer.commit();
        else coalescer.replayDone();
        if (pendingSince === undefined && coalescer.initialSent && coalescer.ready()) pendingSince = performance.now();
        notify();
      }
    } catch (err) {
      failure = { error: err };
    } finally {
      ended = true;
      notify();
    }
  })();
  signal.addEventListener('abort', notify);

  try {
    while (!signal.aborted) {
      if (coalescer.ready()) {
        if (coalescer.initialSent && pendingSince !== undefined) {
          const wait = pendingSince + debounceMs - performance.now();
          if (wait > 0 && !ended) await delay(wait, signal);
          if (signal.aborted) return;
        }
        const snapshot = coalescer.take();
        pendingSince = undefined;
        if (snapshot) yield snapshot;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal.removeEventListener('abort', notify);
    stop.abort();
    await pump;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
