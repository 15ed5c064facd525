import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startRedisServer, type RedisServerFixture } from '@eg/testing';
import {
  parseRedisUrl,
  RedisReplyError,
  RedisTimeoutError,
  RedisUnavailableError,
  RedisUrlError,
} from '../src/redis-client.ts';
import { RedisCounterStore } from '../src/redis-store.ts';

// The Redis counter store against Debian's real redis-server, including an outage and a frozen server.

describe('RedisCounterStore', () => {
  let redis: RedisServerFixture;
  let store: RedisCounterStore;
  const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
  let now = T0;
  /** One round trip through our own client, for looking at keys. */
  const command = async (...args: string[]) => (await store.client.pipeline([args]))[0];

  beforeAll(async () => {
    redis = await startRedisServer();
    store = new RedisCounterStore({
      ...parseRedisUrl(redis.url),
      now: () => now,
      initialBackoffMs: 20,
      commandTimeoutMs: 500,
    });
    await store.client.waitConnected(5000);
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  it('counts hits per key in one pipelined write and sets each key to expire when its window ends', async () => {
    const inc = (key: string, hits: number) => ({ key, hits, expiresAt: T0 + 60_000 });
    expect(await store.increment([inc('a', 1), inc('b', 5)])).toEqual([1, 5]);
    expect(await store.increment([inc('a', 2), inc('b', 1), inc('a', 1)])).toEqual([3, 6, 4]);
    expect(await command('GET', 'a')).toBe('4');
    now = T0 + 45_500;
    await store.increment([inc('a', 1)]);
    // 14.5 s left in the window: rounded up, so a counter never disappears before its window ends.
    expect(await command('TTL', 'a')).toBe(15);
  });

  it('gives each of many concurrent callers its own replies (their pipelines share writes)', async () => {
    const totals = await Promise.all(
      Array.from({ length: 200 }, () => store.increment([{ key: 'many', hits: 1, expiresAt: T0 + 60_000 }])),
    );
    expect(totals.map(([t]) => t).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('fails a pipeline whose command Redis refuses with the reply error', async () => {
    await command('SET', 'text', 'not a number');
    await expect(store.increment([{ key: 'text', hits: 1, expiresAt: T0 + 1000 }])).rejects.toBeInstanceOf(
      RedisReplyError,
    );
    // The connection stays in step: the next pipeline gets its own replies.
    expect(await store.increment([{ key: 'c', hits: 2, expiresAt: T0 + 60_000 }])).toEqual([2]);
  });

  it('fails at once while Redis is down and counts again from zero once it is back', async () => {
    await redis.kill();
    await expect(store.increment([{ key: 'a', hits: 1, expiresAt: T0 + 60_000 }])).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );
    expect(store.client.isConnected).toBe(false);
    await redis.start();
    const { value } = await eventually(() => store.increment([{ key: 'a', hits: 1, expiresAt: T0 + 60_000 }]), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(value).toEqual([1]); // a fresh, empty server
  });

  it('times out a pipeline a frozen Redis does not answer, and counts on once it runs again', async () => {
    const inc = { key: 'frozen', hits: 1, expiresAt: T0 + 60_000 };
    expect(await store.increment([inc])).toEqual([1]);
    redis.pause();
    try {
      await expect(store.increment([inc])).rejects.toBeInstanceOf(RedisTimeoutError);
    } finally {
      redis.resume();
    }
    // The timed-out INCRBY still ran once Redis woke (conservative: the hit counts), and replies stay in step.
    const { value } = await eventually(() => store.increment([inc]), { timeoutMs: 10_000, intervalMs: 50 });
    expect(value).toEqual([3]);
  });

  it('refuses URLs it cannot use', () => {
    expect(parseRedisUrl('redis://redis.default.svc:6380')).toEqual({ host: 'redis.default.svc', port: 6380 });
    expect(parseRedisUrl('127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseRedisUrl('redis://[::1]')).toEqual({ host: '::1', port: 6379 });
    expect(() => parseRedisUrl('http://x:1')).toThrow(RedisUrlError);
    expect(() => parseRedisUrl('redis://user:secret@x:1')).toThrow(RedisUrlError);
  });
});
