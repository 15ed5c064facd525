import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { startNatsServer, type NatsServerFixture } from '@eg/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusKeyError, BusPayloadTooLargeError, connectBus, type Bus, type TraceContext } from '../src/index.ts';
import { deleteAllStreams, sleep, SnapshotReader, values } from './helpers.ts';

let nats: NatsServerFixture;
const opened: Bus[] = [];
const readers: SnapshotReader<unknown>[] = [];

async function bus(name = 'test'): Promise<Bus> {
  const b = await connectBus({ servers: nats.url, name });
  opened.push(b);
  return b;
}

function reader<T>(...args: ConstructorParameters<typeof SnapshotReader<T>>): SnapshotReader<T> {
  const r = new SnapshotReader<T>(...args);
  readers.push(r as SnapshotReader<unknown>);
  return r;
}

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.close()));
  await Promise.all(opened.splice(0).map((b) => b.close()));
  await deleteAllStreams(nats.url);
});

const TRACE: TraceContext = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'eg=provider',
};

describe('WatchableMap', () => {
  it('yields the whole current state first, then each change', async () => {
    const map = await (await bus()).map<{ port: number }>('xds-ir');
    await map.put('default/eg', { port: 1 });
    await map.put('default/other.gw', { port: 2 });
    const r = reader(map);
    const first = await r.next();
    expect(first.initial).toBe(true);
    expect(first.updates).toEqual([]);
    expect(values(first)).toEqual({ 'default/eg': { port: 1 }, 'default/other.gw': { port: 2 } });

    await map.put('default/eg', { port: 3 });
    const second = await r.next();
    expect(second.initial).toBe(false);
    expect(second.updates).toMatchObject([{ key: 'default/eg', type: 'put', entry: { value: { port: 3 } } }]);
    expect(values(second)).toEqual({ 'default/eg': { port: 3 }, 'default/other.gw': { port: 2 } });
  });

  it('yields an empty initial snapshot for a new bucket', async () => {
    const map = await (await bus()).map<number>('status');
    const r = reader(map);
    const first = await r.next(2000);
    expect(first.initial).toBe(true);
    expect(first.state.size).toBe(0);
    await map.put('a', 1);
    expect(values(await r.next())).toEqual({ a: 1 });
  });

  it('yields an empty initial snapshot for a bucket whose keys were all deleted', async () => {
    const map = await (await bus()).map<number>('status');
    await map.put('a', 1);
    await map.delete('a');
    await map.commit();
    const first = await reader(map).next(2000);
    expect(first.initial).toBe(true);
    expect(first.state.size).toBe(0);
  });

  it('coalesces a burst of 100 puts into few snapshots holding the final state', async () => {
    const writer = await (await bus('writer')).map<number>('resources');
    const consumer = reader(await (await bus('reader')).map<number>('resources'));
    await consumer.next();
    for (let i = 1; i <= 100; i++) await writer.put(`HTTPRoute/default/route-${i % 10}`, i);
    const snapshots = await consumer.until((s) => s.state.get('HTTPRoute/default/route-0')?.value === 100);
    expect(snapshots.length).toBeLessThanOrEqual(10);
    const last = snapshots.at(-1)!;
    expect(values(last)).toEqual(
      Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`HTTPRoute/default/route-${k}`, 91 + ((k + 9) % 10)])),
    );
    // Each snapshot names each changed key once.
    for (const s of snapshots) expect(new Set(s.updates.map((u) => u.key)).size).toBe(s.updates.length);
  });

  it('merges everything that arrives while the consumer is busy into one snapshot', async () => {
    const map = await (await bus()).map<number>('resources');
    const consumer = reader(map, { debounceMs: 0 });
    await consumer.next();
    for (let i = 1; i <= 50; i++) await map.put(`k${i}`, i);
    await sleep(300); // the consumer is busy; nothing may queue up
    const merged = await consumer.next();
    expect(merged.updates).toHaveLength(50);
    expect(merged.state.size).toBe(50);
    await consumer.nothingWithin(200);
  });

  it('writes nothing and notifies no one when the value is already stored', async () => {
    const map = await (await bus()).map<Record<string, number>>('resources');
    const consumer = reader(map);
    await consumer.next();
    expect(await map.put('Gateway/default/eg', { a: 1, b: 2 })).toBe(true);
    await consumer.next();
    expect(await map.put('Gateway/default/eg', { a: 1, b: 2 })).toBe(false);
    expect(await map.put('Gateway/default/eg', { b: 2, a: 1 })).toBe(false);
    // A fresh map (no cache) reads the stored value to decide.
    const fresh = await (await bus('fresh')).map<Record<string, number>>('resources');
    expect(await fresh.put('Gateway/default/eg', { a: 1, b: 2 })).toBe(false);
    await consumer.nothingWithin(300);
    expect(await map.put('Gateway/default/eg', { a: 1, b: 3 })).toBe(true);
    expect((await consumer.next()).updates).toHaveLength(1);
  });

  it('notices a value another writer changed and writes again', async () => {
    const a = await (await bus('a')).map<string>('status');
    const b = await (await bus('b')).map<string>('status');
    expect(await a.put('HTTPRoute/default/web', 'accepted')).toBe(true);
    await a.commit();
    expect(await b.put('HTTPRoute/default/web', 'rejected')).toBe(true);
    await b.commit();
    expect(await a.put('HTTPRoute/default/web', 'accepted')).toBe(true);
    expect((await b.get('HTTPRoute/default/web'))?.value).toBe('accepted');
  });

  it('deletes keys and tells subscribers', async () => {
    const map = await (await bus()).map<number>('infra-ir');
    await map.put('default/eg', 1);
    await map.put('default/gone', 2);
    const consumer = reader(map);
    expect(values(await consumer.next())).toEqual({ 'default/eg': 1, 'default/gone': 2 });
    await map.delete('default/gone');
    const s = await consumer.next();
    expect(s.updates).toEqual([{ key: 'default/gone', type: 'delete' }]);
    expect(values(s)).toEqual({ 'default/eg': 1 });
    expect(await map.get('default/gone')).toBeUndefined();
    expect(await map.keys()).toEqual(['default/eg']);
    // Deleting an absent key writes nothing.
    await map.delete('default/gone');
    await map.delete('never/existed');
    await consumer.nothingWithin(300);
    // A deleted key can be written again.
    expect(await map.put('default/gone', 3)).toBe(true);
    expect((await map.get('default/gone'))?.value).toBe(3);
  });

  it('round-trips keys with characters NATS does not allow, and hides the commit marker', async () => {
    const map = await (await bus()).map<number>('resources');
    const keys = ['HTTPRoute/default/my.route', 'Gateway/ns/Name_With:odd~chars', '', 'ünï/*/>', 'eg.commit'];
    for (const [i, key] of keys.entries()) await map.put(key, i);
    await map.commit();
    expect((await map.keys()).sort()).toEqual([...keys].sort());
    const first = await reader(map).next();
    expect(values(first)).toEqual(Object.fromEntries(keys.map((k, i) => [k, i])));
    for (const [i, key] of keys.entries()) expect((await map.get(key))?.value).toBe(i);
  });

  it('carries the trace context of each write', async () => {
    const map = await (await bus()).map<string>('xds-ir');
    await map.put('default/eg', 'v1', TRACE);
    await map.put('default/untraced', 'v1');
    const got = await map.get('default/eg');
    expect(got).toMatchObject({ key: 'default/eg', value: 'v1', trace: TRACE });
    expect(got?.revision).toBeGreaterThan(0);
    expect((await map.get('default/untraced'))?.trace).toBeUndefined();
    const consumer = reader(map);
    expect((await consumer.next()).state.get('default/eg')?.trace).toEqual(TRACE);
    const trace2 = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
    await map.put('default/eg', 'v2', trace2);
    const s = await consumer.next();
    expect(s.updates[0]).toMatchObject({ type: 'put', entry: { value: 'v2', trace: trace2 } });
  });

  describe('atCommit', () => {
    it('never shows half a batch', async () => {
      const writer = await (await bus('writer')).map<number>('xds-ir');
      const keys = Array.from({ length: 10 }, (_, i) => `default/gw-${i}`);
      for (const key of keys) await writer.put(key, 0);
      await writer.commit();
      const committed = reader(await (await bus('reader')).map<number>('xds-ir'), { atCommit: true, debounceMs: 0 });
      const plain = reader(await (await bus('reader2')).map<number>('xds-ir'), { debounceMs: 0 });
      expect(new Set(Object.values(values(await committed.next())))).toEqual(new Set([0]));
      await plain.next();

      const batches = 30;
      const writing = (async () => {
        for (let batch = 1; batch <= batches; batch++) {
          for (const key of keys) await writer.put(key, batch);
          await writer.commit();
        }
      })();
      const [seen, plainSeen] = await Promise.all([
        committed.until((s) => s.state.get(keys[0]!)?.value === batches),
        plain.until((s) => Object.values(values(s)).every((v) => v === batches)),
        writing,
      ]);
      for (const s of seen) {
        expect(s.state.size).toBe(keys.length);
        expect(new Set(Object.values(values(s))).size).toBe(1);
      }
      // The same writes without atCommit do show partial batches, so the check above has teeth.
      expect(plainSeen.some((s) => new Set(Object.values(values(s))).size > 1)).toBe(true);
    });

    it('holds back the first snapshot while a batch is open, until its commit', async () => {
      const writer = await (await bus('writer')).map<number>('infra-ir');
      await writer.put('default/a', 1);
      await writer.commit();
      await writer.put('default/b', 1); // batch left open
      const consumer = reader(await (await bus('reader')).map<number>('infra-ir'), { atCommit: true });
      await consumer.nothingWithin(300);
      await writer.put('default/c', 1);
      await writer.commit();
      const first = await consumer.next();
      expect(first.initial).toBe(true);
      expect(values(first)).toEqual({ 'default/a': 1, 'default/b': 1, 'default/c': 1 });
    });
  });

  describe('large values', () => {
    // ~5 MB of base64 over random bytes: brotli cannot shrink it below the KV entry limit.
    const big = (): string => randomBytes(3_750_000).toString('base64');

    it('stores a value above the payload limit in the object store and reads it back', async () => {
      const b = await bus();
      const map = await b.map<{ blob: string }>('xds-ir');
      const value = { blob: big() };
      const consumer = reader(map);
      await consumer.next();
      expect(await map.put('default/huge', value, TRACE)).toBe(true);
      expect(await map.put('default/huge', value)).toBe(false);

      const got = await map.get('default/huge');
      expect(got?.value.blob.length).toBe(value.blob.length);
      expect(got?.value.blob === value.blob).toBe(true);
      expect(got?.trace).toEqual(TRACE);
      const s = await consumer.next();
      expect(s.state.get('default/huge')?.value.blob === value.blob).toBe(true);
      // Another process reads it too.
      const other = await (await bus('other')).map<{ blob: string }>('xds-ir');
      expect((await other.get('default/huge'))?.value.blob === value.blob).toBe(true);

      const objects = await largeObjects('xds-ir');
      expect(objects).toHaveLength(1);
      expect(objects[0]!.size).toBeGreaterThan(1024 * 1024);

      // Replacing or deleting the value removes the object it no longer needs.
      await map.put('default/huge', { blob: big() });
      await expect.poll(async () => (await largeObjects('xds-ir')).length).toBe(1);
      await map.put('default/huge', { blob: 'small now' });
      await expect.poll(async () => (await largeObjects('xds-ir')).length).toBe(0);
      expect((await map.get('default/huge'))?.value.blob).toBe('small now');
      await map.put('default/huge', { blob: big() });
      await map.delete('default/huge');
      await expect.poll(async () => (await largeObjects('xds-ir')).length).toBe(0);
    });

    it('throws BusPayloadTooLargeError naming the key when the object store refuses the value', async () => {
      // An object store bucket limited to 1 MiB cannot take the value either.
      const nc = await connect({ servers: nats.url });
      await new Objm(nc).create('ratelimit-ir-large', { max_bytes: 1024 * 1024 });
      await nc.close();
      const map = await (await bus()).map<string>('ratelimit-ir');
      const error = await map.put('default/eg', big()).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BusPayloadTooLargeError);
      const tooLarge = error as BusPayloadTooLargeError;
      expect(tooLarge.key).toBe('default/eg');
      expect(tooLarge.size).toBeGreaterThan(1024 * 1024);
      expect(tooLarge.message).toContain('default/eg');
      expect(tooLarge.cause).toBeInstanceOf(Error);
      expect(await map.get('default/eg')).toBeUndefined();
    });
  });

  it('creates a bucket once when several processes open it at the same time', async () => {
    const buses = await Promise.all(Array.from({ length: 5 }, (_, i) => bus(`p${i}`)));
    const maps = await Promise.all(buses.map((b) => b.map<number>('status')));
    await maps[0]!.put('x', 1);
    for (const map of maps) expect((await map.get('x'))?.value).toBe(1);
  });

  it('fails a subscription on an entry this bus did not write', async () => {
    const map = await (await bus()).map<number>('resources');
    const nc = await connect({ servers: nats.url });
    const kv = await new Kvm(jetstream(nc)).open('resources');
    await kv.put('not=ZZencoded', 'x');
    await nc.close();
    const consumer = reader(map);
    await expect(consumer.next()).rejects.toThrow(BusKeyError);
  });

  it('ends subscriptions when the bus closes', async () => {
    const b = await connectBus({ servers: nats.url, name: 'closing' });
    const consumer = new SnapshotReader(await b.map<number>('resources'));
    await consumer.next();
    await b.close();
    await expect(consumer.next()).rejects.toThrow('subscription ended');
    expect(await b.closed).toBeUndefined();
  });
});

async function largeObjects(bucket: string): Promise<{ name: string; size: number }[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const os = await new Objm(nc).open(`${bucket}-large`);
    return (await os.list()).map((info) => ({ name: info.name, size: info.size }));
  } finally {
    await nc.close();
  }
}
