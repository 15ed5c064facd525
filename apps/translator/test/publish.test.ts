import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { startNatsServer, type NatsServerFixture } from '@eg/testing';
import { Publisher } from '../src/publish.ts';

// Mark and sweep against a real JetStream bucket: after each publish the bucket holds exactly the set given.

describe('Publisher', () => {
  let nats: NatsServerFixture;
  let bus: Bus;
  let map: WatchableMap<{ n: number }>;

  const contents = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const key of (await map.keys()).sort()) out[key] = (await map.get(key))!.value.n;
    return out;
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    bus = await connectBus({ servers: nats.url, name: 'publish-test' });
    map = await bus.map<{ n: number }>('xds-ir');
  });

  afterAll(async () => {
    await bus?.close();
    await nats?.stop();
  });

  it('writes what changed, skips what did not, deletes what is no longer produced', async () => {
    const publisher = new Publisher();
    const set = (entries: Record<string, number>) => [
      { map, entries: new Map(Object.entries(entries).map(([k, n]) => [k, { n }])) },
    ];
    expect(await publisher.publish(set({ a: 1, b: 2 }), undefined)).toEqual({ written: 2, deleted: 0, unchanged: 0 });
    expect(await publisher.publish(set({ a: 1, b: 3, c: 4 }), undefined)).toEqual({
      written: 2,
      deleted: 0,
      unchanged: 1,
    });
    expect(await publisher.publish(set({ c: 4 }), undefined)).toEqual({ written: 0, deleted: 2, unchanged: 1 });
    expect(await contents()).toEqual({ c: 4 });
  });

  it('sweeps keys an earlier process left behind', async () => {
    await map.put('left-over', { n: 9 });
    await map.commit();
    const fresh = new Publisher(); // a restarted translator knows nothing of the bucket yet
    const stats = await fresh.publish([{ map, entries: new Map([['d', { n: 5 }]]) }], undefined);
    expect(stats.deleted).toBe(2); // 'c' from the first test and 'left-over'
    expect(await contents()).toEqual({ d: 5 });
  });

  it('lets a committed-state reader see each publish whole', async () => {
    const publisher = new Publisher();
    const controller = new AbortController();
    const seen: string[][] = [];
    const reading = (async () => {
      for await (const snapshot of map.subscribe({ atCommit: true, debounceMs: 0, signal: controller.signal })) {
        seen.push([...snapshot.state.keys()].sort());
        if (snapshot.state.has('z3')) break;
      }
    })();
    const batch = (keys: string[]) => [{ map, entries: new Map(keys.map((k, n) => [k, { n }])) }];
    await publisher.publish(batch(['x1', 'x2', 'x3']), undefined);
    await publisher.publish(batch(['z1', 'z2', 'z3']), undefined);
    await reading;
    controller.abort();
    const allowed = [['d'], ['x1', 'x2', 'x3'], ['z1', 'z2', 'z3']].map((k) => k.join());
    for (const state of seen) expect(allowed).toContain(state.join());
    expect(seen.at(-1)).toEqual(['z1', 'z2', 'z3']);
  });
});
