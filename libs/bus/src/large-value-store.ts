import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { createIdempotently } from './buckets.ts';
import type { ObjectRef } from './envelope.ts';

const STALL_CHECK_MS = 1000;
const STALLED = Symbol('stalled');

/**
 * Values too large for one KV entry live in a JetStream object store `<bucket>-large`, chunked below the
 * server's payload limit. Each write gets a fresh object name, so a reader never sees an object change
 * under it, and a writer deletes exactly the object its write replaced.
 */
export class LargeValueStore {
  private readonly objm: Objm;
  private readonly bucket: string;
  private store: Promise<ObjectStore> | undefined;

  constructor(js: JetStreamClient, kvBucket: string) {
    this.objm = new Objm(js);
    this.bucket = `${kvBucket}-large`;
  }

  async put(rawKey: string, bytes: Uint8Array): Promise<ObjectRef> {
    const name = `${rawKey}/${randomUUID()}`;
    await (await this.open()).putBlob({ name }, bytes);
    return { name, size: bytes.length };
  }

  /** The stored bytes, or undefined when the object was deleted because a newer write replaced it. */
  async get(ref: ObjectRef): Promise<Uint8Array | undefined> {
    const store = await this.open();
    const result = await store.get(ref.name);
    if (result === null) return undefined;
    const reader = result.data.getReader();
    const chunks: Uint8Array[] = [];
    let read = reader.read();
    for (;;) {
      const next = await within(read, STALL_CHECK_MS);
      if (next === STALLED) {
        // The client waits forever for chunks purged by a delete that raced with this read.
        const info = await store.info(ref.name);
        if (info === null || info.deleted) {
          await reader.cancel();
          return undefined;
        }
        continue;
      }
      if (next.done) break;
      chunks.push(next.value);
      read = reader.read();
    }
    await result.error; // rejects when the digest does not match
    return Buffer.concat(chunks);
  }

  async delete(ref: ObjectRef): Promise<void> {
    await (await this.open()).delete(ref.name);
  }

  private open(): Promise<ObjectStore> {
    this.store ??= createIdempotently(() => this.objm.create(this.bucket)).catch((err: unknown) => {
      this.store = undefined;
      throw err;
    });
    return this.store;
  }
}

/** `promise`'s value, or STALLED if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof STALLED> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => (timer = setTimeout(() => resolve(STALLED), ms)));
  try {
    return await Promise.race([promise, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
