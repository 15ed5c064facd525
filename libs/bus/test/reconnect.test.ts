import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startNatsServer, type NatsServerFixture } from '@eg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus } from '../src/index.ts';
import { SnapshotReader, values } from './helpers.ts';

let nats: NatsServerFixture;
const opened: Bus[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await nats?.stop();
});

/** Retries a write until the restarted server's JetStream answers. */
async function retry<T>(write: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('a subscription across a nats-server restart', () => {
  it('keeps delivering changes, including those written while it was reconnecting', async () => {
    const subscriberBus = await connectBus({ servers: nats.url, name: 'subscriber' });
    opened.push(subscriberBus);
    const writerBus = await connectBus({ servers: nats.url, name: 'writer' });
    opened.push(writerBus);
    const writer = await writerBus.map<number>('xds-ir');
    await writer.put('default/before', 1);

    const consumer = new SnapshotReader(await subscriberBus.map<number>('xds-ir'), { atCommit: false });
    expect(values(await consumer.next())).toEqual({ 'default/before': 1 });

    await nats.restart({ downMs: 500 });
    // A fresh connection writes right away, while the subscriber's client may still be reconnecting.
    const lateBus = await retry(() => connectBus({ servers: nats.url, name: 'late' }));
    opened.push(lateBus);
    const late = await retry(() => lateBus.map<number>('xds-ir'));
    await retry(() => late.put('default/during', 2));
    // The first writer's client reconnected by itself.
    await retry(() => writer.put('default/after', 3));
    await retry(() => writer.delete('default/before'));

    const seen = await consumer.until((s) => s.state.size === 2 && s.state.has('default/after'), 20_000);
    expect(values(seen.at(-1)!)).toEqual({ 'default/during': 2, 'default/after': 3 });
    expect(seen.every((s) => !s.initial)).toBe(true);

    // And a second restart, to show the re-created watch is itself resilient.
    await nats.restart();
    await retry(() => writer.put('default/again', 4));
    const again = await consumer.until((s) => s.state.has('default/again'), 20_000);
    expect(values(again.at(-1)!)).toEqual({ 'default/during': 2, 'default/after': 3, 'default/again': 4 });
    await consumer.close();
  });

  it('resumes after its last revision when the restarted server lost the watch consumer', async () => {
    const b = await connectBus({ servers: nats.url, name: 'resume' });
    opened.push(b);
    const map = await b.map<number>('infra-ir');
    await map.put('default/a', 1);
    const consumer = new SnapshotReader(map);
    expect(values(await consumer.next())).toEqual({ 'default/a': 1 });
    await map.put('default/b', 2);
    expect((await consumer.next()).updates.map((u) => u.key)).toEqual(['default/b']);

    // Without its consumer the client's ordered watch would wait a minute of missed heartbeats.
    const consumers = join(nats.storeDir, 'jetstream', '$G', 'streams', 'KV_infra-ir', 'obs');
    await nats.restart({ whileDown: () => rm(consumers, { recursive: true, force: true }) });
    await retry(() => map.put('default/c', 3));
    const s = await consumer.next(10_000);
    // Nothing delivered before the restart is repeated.
    expect(s.updates.map((u) => u.key)).toEqual(['default/c']);
    expect(values(s)).toEqual({ 'default/a': 1, 'default/b': 2, 'default/c': 3 });
    await consumer.close();
  });
});
