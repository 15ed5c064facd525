import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import { Empty, headers } from '@nats-io/transport-node';
import {
  contentOf,
  decodeEnvelope,
  encodeInline,
  encodeReference,
  type Content,
  type Envelope,
  type ObjectRef,
} from './envelope.ts';
import { endSpan, putSpan, recordDelivery, recordWrite } from './bus-telemetry.ts';
import { BusDecodeError, BusError, BusPayloadTooLargeError } from './errors.ts';
import { isWrongLastSequence } from './jetstream-errors.ts';
import { COMMIT_MARKER_KEY, decodeKey, encodeKey, isInternalKey } from './key-codec.ts';
import { watchBucket, type WatchContext } from './kv-watch.ts';
import type { LargeValueStore } from './large-value-store.ts';
import { coalescedSnapshots, type BucketEvent } from './subscription.ts';
import type { BucketName, Entry, Snapshot, SubscribeOptions, TraceContext, WatchableMap } from './types.ts';

export interface BucketMapContext extends WatchContext {
  readonly bucket: BucketName;
  readonly js: JetStreamClient;
  readonly kv: KV;
  readonly largeValues: LargeValueStore;
  /** Compressed values above this size go to the large-value store. */
  readonly largeValueThreshold: number;
  /** Names the writer in commit markers. */
  readonly writer: string;
  /** Errors after a write succeeded (removing a replaced large object), which the caller cannot act on. */
  readonly onError: (err: BusError) => void;
}

/** The KV protocol's header marking a delete (NATS ADR-8); the client does not export it. */
const KV_OPERATION_HEADER = 'KV-Operation';

/** What this map last wrote or read for a key; `hash` undefined means absent (revision 0: never written). */
interface Known {
  readonly hash: string | undefined;
  readonly revision: number;
  readonly object?: ObjectRef;
}

/** A WatchableMap over one JetStream KV bucket. */
export class BucketMap<T> implements WatchableMap<T> {
  readonly bucket: BucketName;
  private readonly ctx: BucketMapContext;
  /** By raw key. Trusted for equality checks only while no other writer has touched the bucket. */
  private readonly known = new Map<string, Known>();
  /** The bucket sequence up to which `known` accounts for every write. */
  private confirmedSeq = -1;
  /** The check at the start of a batch that no one else wrote since this map's last commit. */
  private batchStart: Promise<void> | undefined;
  private commits = 0;

  constructor(ctx: BucketMapContext) {
    this.ctx = ctx;
    this.bucket = ctx.bucket;
  }

  async put(key: string, value: T, trace?: TraceContext): Promise<boolean> {
    const rawKey = encodeKey(key);
    const content = contentOf(value);
    await this.startBatch();
    const current = await this.current(rawKey);
    if (current.hash === content.hash) return false;
    if (!trace) return this.write(key, rawKey, content, current, undefined);
    const { span, trace: carried } = putSpan(this.bucket, key, trace);
    try {
      const written = await this.write(key, rawKey, content, current, carried);
      span.setAttribute('bus.written', written);
      endSpan(span);
      return written;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  /** Writes a value that differs from `current`, unless a concurrent writer already stored it. */
  private async write(
    key: string,
    rawKey: string,
    content: Content,
    previous: Known,
    trace: TraceContext | undefined,
  ): Promise<boolean> {
    let current = previous;
    const stored = await this.encode(key, rawKey, content, trace);
    for (;;) {
      let revision: number;
      try {
        revision = await this.ctx.kv.put(rawKey, stored.bytes, { previousSeq: current.revision });
      } catch (err) {
        if (!isWrongLastSequence(err)) {
          // The write may have landed (a timeout after the server stored it), so the object may be in
          // use: keep it, and read the key again next time.
          this.known.delete(rawKey);
          throw new BusError(`cannot put ${JSON.stringify(key)} in bucket ${this.bucket}`, { cause: err });
        }
        // Another writer changed the key since this map looked: judge again against what it wrote.
        current = await this.read(rawKey);
        if (current.hash === content.hash) {
          this.discard(stored.object);
          return false;
        }
        continue;
      }
      this.wrote(rawKey, { hash: content.hash, revision, ...(stored.object ? { object: stored.object } : {}) });
      this.discard(current.object);
      recordWrite(this.bucket, 'put');
      return true;
    }
  }

  async delete(key: string): Promise<void> {
    const rawKey = encodeKey(key);
    await this.startBatch();
    let current = await this.current(rawKey);
    while (current.hash !== undefined) {
      let revision: number;
      try {
        // The KV client's delete does not return the revision, which the write cache needs.
        const h = headers();
        h.set(KV_OPERATION_HEADER, 'DEL');
        const ack = await this.ctx.js.publish(`$KV.${this.bucket}.${rawKey}`, Empty, {
          headers: h,
          expect: { lastSubjectSequence: current.revision },
        });
        revision = ack.seq;
      } catch (err) {
        if (!isWrongLastSequence(err)) {
          this.known.delete(rawKey);
          throw new BusError(`cannot delete ${JSON.stringify(key)} from bucket ${this.bucket}`, { cause: err });
        }
        current = await this.read(rawKey);
        continue;
      }
      this.wrote(rawKey, { hash: undefined, revision });
      this.discard(current.object);
      recordWrite(this.bucket, 'delete');
      return;
    }
  }

  async commit(): Promise<void> {
    this.commits++;
    let revision: number;
    try {
      revision = await this.ctx.kv.put(
        COMMIT_MARKER_KEY,
        JSON.stringify({ writer: this.ctx.writer, commit: this.commits }),
      );
    } catch (err) {
      throw new BusError(`cannot commit to bucket ${this.bucket}`, { cause: err });
    }
    this.advance(revision);
    this.batchStart = undefined;
  }

  async get(key: string): Promise<Entry<T> | undefined> {
    const rawKey = encodeKey(key);
    // A large value's object disappears when a newer write replaces it; then read the newer one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { envelope, known } = await this.readEntry(rawKey);
      if (envelope === undefined) return undefined;
      const entry = await this.resolve(key, envelope, known.revision);
      if (entry) return entry;
    }
    throw new BusError(`value of ${JSON.stringify(key)} in bucket ${this.bucket} keeps changing under the reader`);
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const rawKey of await this.ctx.kv.keys()) {
        if (!isInternalKey(rawKey)) keys.push(decodeKey(rawKey));
      }
    } catch (err) {
      if (err instanceof BusError) throw err;
      throw new BusError(`cannot list keys of bucket ${this.bucket}`, { cause: err });
    }
    return keys;
  }

  subscribe(opts?: SubscribeOptions): AsyncIterable<Snapshot<T>> {
    return { [Symbol.asyncIterator]: () => coalescedSnapshots((signal) => this.events(signal), opts) };
  }

  private async *events(signal: AbortSignal): AsyncGenerator<BucketEvent<T>> {
    let live = false;
    for await (const event of watchBucket(this.ctx, signal)) {
      if (event.type === 'replay-done') {
        live = true;
        yield event;
        continue;
      }
      const { entry } = event;
      if (isInternalKey(entry.key)) {
        if (entry.key === COMMIT_MARKER_KEY && entry.operation === 'PUT') yield { type: 'commit' };
        continue;
      }
      const key = decodeKey(entry.key);
      if (entry.operation !== 'PUT') {
        yield { type: 'delete', key };
        continue;
      }
      const resolved = await this.resolve(key, await decodeEnvelope(entry.value), entry.revision);
      // Undefined: the large object is gone because a newer write replaced it; that write follows.
      if (!resolved) continue;
      // Replayed state is not a change delivered now: only live writes get a lag and a watch span.
      if (!live) {
        yield { type: 'put', entry: resolved };
        continue;
      }
      const trace = recordDelivery(this.bucket, key, entry.created, resolved.trace);
      yield { type: 'put', entry: trace ? { ...resolved, trace } : resolved };
    }
  }

  private async resolve(key: string, envelope: Envelope, revision: number): Promise<Entry<T> | undefined> {
    const trace = envelope.trace ? { trace: envelope.trace } : {};
    if (envelope.kind === 'inline') return { key, value: envelope.data as T, ...trace, revision };
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.ctx.largeValues.get(envelope.object);
    } catch (err) {
      throw new BusError(`cannot read the large value of ${JSON.stringify(key)}`, { cause: err });
    }
    if (bytes === undefined) return undefined;
    const inner = await decodeEnvelope(bytes);
    if (inner.kind !== 'inline' || inner.hash !== envelope.hash) {
      throw new BusDecodeError(`large value of ${JSON.stringify(key)} does not match its reference`);
    }
    return { key, value: inner.data as T, ...trace, revision };
  }

  private async encode(
    key: string,
    rawKey: string,
    content: Content,
    trace: TraceContext | undefined,
  ): Promise<{ bytes: Uint8Array; object?: ObjectRef }> {
    const inline = await encodeInline(content, trace);
    if (inline.length <= this.ctx.largeValueThreshold) return { bytes: inline };
    let object: ObjectRef;
    try {
      object = await this.ctx.largeValues.put(rawKey, inline);
    } catch (err) {
      throw new BusPayloadTooLargeError(key, inline.length, { cause: err });
    }
    return { bytes: await encodeReference(content.hash, trace, object), object };
  }

  /**
   * Opens a batch: if the bucket moved past the last write this map accounted for, someone else wrote,
   * and the cached hashes may lie about equality, so they are dropped and keys are read again.
   */
  private startBatch(): Promise<void> {
    this.batchStart ??= (async () => {
      let lastSeq: number;
      try {
        lastSeq = (await this.ctx.kv.status()).streamInfo.state.last_seq;
      } catch (err) {
        this.batchStart = undefined;
        throw new BusError(`cannot read the state of bucket ${this.bucket}`, { cause: err });
      }
      if (lastSeq !== this.confirmedSeq) this.known.clear();
      this.confirmedSeq = lastSeq;
    })();
    return this.batchStart;
  }

  private current(rawKey: string): Promise<Known> | Known {
    return this.known.get(rawKey) ?? this.read(rawKey);
  }

  private async read(rawKey: string): Promise<Known> {
    return (await this.readEntry(rawKey)).known;
  }

  /** Reads a key's current entry and records what it holds in `known`. */
  private async readEntry(rawKey: string): Promise<{ known: Known; envelope: Envelope | undefined }> {
    let entry: KvEntry | null;
    try {
      entry = await this.ctx.kv.get(rawKey);
    } catch (err) {
      throw new BusError(`cannot read ${JSON.stringify(rawKey)} from bucket ${this.bucket}`, { cause: err });
    }
    if (entry === null || entry.operation !== 'PUT') {
      const known: Known = { hash: undefined, revision: entry?.revision ?? 0 };
      this.known.set(rawKey, known);
      return { known, envelope: undefined };
    }
    const envelope = await decodeEnvelope(entry.value);
    const known: Known = {
      hash: envelope.hash,
      revision: entry.revision,
      ...(envelope.kind === 'object' ? { object: envelope.object } : {}),
    };
    this.known.set(rawKey, known);
    return { known, envelope };
  }

  /** Records this map's write of a key. */
  private wrote(rawKey: string, known: Known): void {
    this.advance(known.revision);
    this.known.set(rawKey, known);
  }

  /** A gap between this map's write sequences means another writer wrote in between. */
  private advance(seq: number): void {
    if (seq !== this.confirmedSeq + 1) this.known.clear();
    this.confirmedSeq = seq;
  }

  /** Removes a large object no entry refers to any more; the write it served already succeeded. */
  private discard(object: ObjectRef | undefined): void {
    if (!object) return;
    this.ctx.largeValues.delete(object).catch((err: unknown) => {
      this.ctx.onError(new BusError(`cannot remove replaced large value ${object.name}`, { cause: err }));
    });
  }
}
