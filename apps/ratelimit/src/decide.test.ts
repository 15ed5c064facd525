import { describe, expect, it } from 'vitest';
import type { RateLimitIR } from '@eg/ir';
import { RateLimitConfig } from './config.ts';
import { counterKey, decide } from './decide.ts';
import { MemoryCounterStore } from './fixed-window.ts';

const ir: RateLimitIR = {
  domain: 'default/eg',
  descriptors: [
    // Each distinct x-user-id value gets 2 per minute, except the VIP who gets 5.
    {
      key: 'x-user-id',
      limit: { requests: 2, unit: 'Minute' },
      descriptors: [],
    },
    { key: 'x-user-id', value: 'vip', limit: { requests: 5, unit: 'Minute' }, descriptors: [] },
    {
      key: 'route',
      value: 'r1',
      descriptors: [{ key: 'remote_address', limit: { requests: 1, unit: 'Second' }, descriptors: [] }],
    },
  ],
};

const user = (value: string) => ({ entries: [{ key: 'x-user-id', value }] });

describe('decide', () => {
  const config = new RateLimitConfig([ir]);
  const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

  it('allows N requests in a window and rejects the next, per distinct value', async () => {
    const store = new MemoryCounterStore(() => T0);
    const ask = (value: string) =>
      decide(config, store, { domain: 'default/eg', descriptors: [user(value)], hitsAddend: 0 }, T0);
    expect((await ask('a')).overallCode).toBe('OK');
    const second = await ask('a');
    expect(second.overallCode).toBe('OK');
    expect(second.statuses[0]).toMatchObject({ limitRemaining: 0, currentLimit: { requests: 2, unit: 'Minute' } });
    expect((await ask('a')).overallCode).toBe('OVER_LIMIT');
    expect((await ask('b')).overallCode).toBe('OK');
  });

  it('prefers an exact value over the any-value descriptor', async () => {
    const store = new MemoryCounterStore(() => T0);
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(
        (await decide(config, store, { domain: 'default/eg', descriptors: [user('vip')], hitsAddend: 1 }, T0))
          .overallCode,
      );
    }
    expect(results).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OVER_LIMIT']);
  });

  it('starts a new count when the window resets', async () => {
    let now = T0;
    const store = new MemoryCounterStore(() => now);
    const ask = () => decide(config, store, { domain: 'default/eg', descriptors: [user('c')], hitsAddend: 3 }, now);
    expect((await ask()).overallCode).toBe('OVER_LIMIT');
    now = T0 + 60_000;
    const next = await ask();
    expect(next.overallCode).toBe('OVER_LIMIT'); // 3 hits against a limit of 2 in the fresh window too
    expect(next.statuses[0]?.durationUntilReset).toBe(60);
    now = T0 + 120_000;
    expect(
      (await decide(config, store, { domain: 'default/eg', descriptors: [user('c')], hitsAddend: 1 }, now)).overallCode,
    ).toBe('OK');
    expect(store.size).toBe(1); // the old windows were swept
  });

  it('matches nested descriptors only when the whole descriptor matches', async () => {
    const store = new MemoryCounterStore(() => T0);
    const nested = {
      entries: [
        { key: 'route', value: 'r1' },
        { key: 'remote_address', value: '10.0.0.1' },
      ],
    };
    const ask = (d: { entries: { key: string; value: string }[] }) =>
      decide(config, store, { domain: 'default/eg', descriptors: [d], hitsAddend: 1 }, T0);
    expect((await ask(nested)).overallCode).toBe('OK');
    expect((await ask(nested)).overallCode).toBe('OVER_LIMIT');
    // Only the first level: no limit there, so never counted.
    const partial = await ask({ entries: [{ key: 'route', value: 'r1' }] });
    expect(partial.overallCode).toBe('OK');
    expect(partial.statuses[0]?.currentLimit).toBeUndefined();
  });

  it('answers OK for unknown domains and descriptors', async () => {
    const store = new MemoryCounterStore(() => T0);
    const d = await decide(config, store, { domain: 'nope', descriptors: [user('a')], hitsAddend: 100 }, T0);
    expect(d.overallCode).toBe('OK');
    expect(store.size).toBe(0);
  });

  it('names counters as envoyproxy/ratelimit does: domain, entries, window start in seconds', () => {
    const entries = [
      { key: 'route', value: 'r1' },
      { key: 'remote_address', value: '10.0.0.1' },
    ];
    expect(counterKey('default/eg/http', entries, T0)).toBe(
      `default/eg/http_route_r1_remote_address_10.0.0.1_${T0 / 1000}`,
    );
  });
});
