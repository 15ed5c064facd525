import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startNatsServer, type NatsServerFixture } from '@eg/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type Lease } from '../src/index.ts';
import { deleteAllStreams, sleep } from './helpers.ts';

const TTL = 600;
let nats: NatsServerFixture;
const opened: Bus[] = [];
const children: ChildProcess[] = [];

async function bus(name: string): Promise<Bus> {
  const b = await connectBus({ servers: nats.url, name });
  opened.push(b);
  return b;
}

/** Samples both leases until `ms` passed, failing if both ever lead at once. */
async function neverBothLeaders(a: Lease, b: Lease, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    expect(a.isLeader() && b.isLeader()).toBe(false);
    await sleep(5);
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(opened.splice(0).map((b) => b.close()));
  await deleteAllStreams(nats.url);
});

describe('Lease', () => {
  it('elects exactly one of two holders and keeps it while it renews', async () => {
    const a = (await bus('a')).lease('translator', 'a', { ttlMs: TTL });
    const b = (await bus('b')).lease('translator', 'b', { ttlMs: TTL });
    await Promise.race([a.whenLeader(), b.whenLeader()]);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    // Several ttls pass: the leader renews, the standby never takes over.
    await neverBothLeaders(a, b, TTL * 3);
    expect(leader.isLeader()).toBe(true);
    expect(standby.isLeader()).toBe(false);
  });

  it('hands over at once when the leader releases', async () => {
    const a = (await bus('a')).lease('status-writer', 'a', { ttlMs: 3000 });
    await a.whenLeader();
    const b = (await bus('b')).lease('status-writer', 'b', { ttlMs: 3000 });
    const changes: boolean[] = [];
    a.onChange((leader) => changes.push(leader));
    await sleep(100);
    expect(b.isLeader()).toBe(false);
    const start = performance.now();
    await a.release();
    expect(a.isLeader()).toBe(false);
    expect(changes).toEqual([false]);
    await b.whenLeader();
    // Well before the 3 s ttl: the standby polls every ttl/3 and finds the record gone.
    expect(performance.now() - start).toBeLessThan(1500);
  });

  it('lets a standby take over after the crashed leader lease expires, not before', async () => {
    const child = spawn(
      process.execPath,
      [new URL('./fixtures/hold-lease.ts', import.meta.url).pathname, nats.url, 'infra', 'crasher', String(TTL)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(line.toString()).toContain('leader');

    const standby = (await bus('standby')).lease('infra', 'standby', { ttlMs: TTL });
    await sleep(TTL / 2);
    expect(standby.isLeader()).toBe(false);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const killedAt = performance.now();
    await standby.whenLeader();
    const waited = performance.now() - killedAt;
    // The record's expiry is at most one renewal interval (ttl/3) old when the holder dies.
    expect(waited).toBeGreaterThanOrEqual(TTL / 2);
    expect(waited).toBeLessThan(TTL * 2);
  });

  it('steps down before its lease expires when it cannot renew, and leads again once NATS is back', async () => {
    const a = (await bus('a')).lease('translator', 'a', { ttlMs: TTL });
    await a.whenLeader();
    let lostAt: number | undefined;
    a.onChange((leader) => {
      if (!leader) lostAt ??= performance.now();
    });
    const stoppedAt = performance.now();
    await nats.restart({ downMs: TTL * 2 });
    expect(lostAt).toBeDefined();
    // Renewed at most ttl/3 before the server went away; gives up 2/3 ttl after that renewal.
    expect(lostAt! - stoppedAt).toBeLessThan((TTL * 2) / 3 + 50);
    await a.whenLeader(AbortSignal.timeout(10_000));
    expect(a.isLeader()).toBe(true);
  });
});
