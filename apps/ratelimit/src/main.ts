import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { RateLimitIR } from '@eg/ir';
import { runService } from '@eg/service';
import { recordSubscription } from '@eg/telemetry';
import { MemoryCounterStore } from './fixed-window.ts';
import { parseRedisUrl } from './redis-client.ts';
import { RedisCounterStore } from './redis-store.ts';
import { startRateLimitServer } from './rls-server.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8080' },
    host: { type: 'string', default: '0.0.0.0' },
    // Envoy Gateway's rate-limit service answers Envoy on 8081.
    'grpc-port': { type: 'string', default: '8081' },
    /** Counters in Redis, shared by every replica (Envoy Gateway's REDIS_URL); in memory, one replica, without. */
    'redis-url': { type: 'string', default: process.env['REDIS_URL'] },
    /** How long one Redis round trip may take before the decision fails. */
    'redis-timeout-ms': { type: 'string', default: '1000' },
    /** Answer a gRPC error when Redis fails, so Envoy's failure_mode_deny decides; default fail open (OK). */
    'failure-mode-deny': { type: 'boolean', default: false },
  },
});

const redis = values['redis-url'] === undefined ? undefined : parseRedisUrl(values['redis-url']);

await runService({
  name: 'ratelimit',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const redisStore = redis
      ? new RedisCounterStore({
          ...redis,
          commandTimeoutMs: Number(values['redis-timeout-ms']),
          onStateChange: (connected, cause) =>
            connected
              ? log.info('connected to Redis', { ...redis })
              : log.warn('lost Redis; reconnecting', { ...redis, error: String(cause?.cause ?? cause) }),
        })
      : undefined;
    // Not waited for: until Redis answers, decisions follow the failure mode.
    redisStore?.client
      .waitConnected(5000)
      .catch((err: unknown) => log.warn('Redis not reachable yet; still trying', { error: String(err) }));
    const store = redisStore ?? new MemoryCounterStore();
    const server = await startRateLimitServer({
      host: values.host,
      port: Number(values['grpc-port']),
      store,
      failureModeDeny: values['failure-mode-deny'],
    });
    onShutdown(() => server.close());
    log.info('rate limit service listening', {
      port: server.port,
      counters: redis ? `redis ${redis.host}:${redis.port}` : 'memory',
      failureModeDeny: values['failure-mode-deny'],
    });
    const bus = await connectBus({ servers: values.nats, name: 'ratelimit' });
    onShutdown(() => bus.close());
    const map = await bus.map<RateLimitIR>('ratelimit-ir');
    for await (const snapshot of map.subscribe({ atCommit: true, signal })) {
      const started = performance.now();
      // The whole configuration is swapped at once; requests in flight finish on the one they started with.
      server.setConfig([...snapshot.state.values()].map((e) => e.value));
      recordSubscription('global-ratelimit', started);
      log.info('configuration loaded', { domains: snapshot.state.size });
      if (snapshot.initial) health.markReady();
    }
  },
});
