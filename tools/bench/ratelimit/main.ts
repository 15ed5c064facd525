// Rate-limit service benchmark: ShouldRateLimit decisions per second and p50/p99 latency with 1, 2 and 5
// descriptors per request, counters in a local redis-server (and in memory, for comparison). The gRPC load
// comes from a separate process (load-client.ts) so it runs on the other core.
// Throughput with 32 calls in flight (Envoys under load), latency alone with 1.
// Run: npm run bench -- ratelimit, or node tools/bench/ratelimit/main.ts [--duration-ms 3000 --concurrency 32,1]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RateLimitIR } from '@eg/ir';
import {
  MemoryCounterStore,
  parseRedisUrl,
  RedisCounterStore,
  startRateLimitServer,
  type CounterStore,
} from '@eg/ratelimit';
import { startRedisServer } from '@eg/testing';
import { median, ms, printTable, RUNS } from '../lib/stats.ts';
import type { LoadResult, LoadRun } from './load-client.ts';

const { values } = parseArgs({
  options: {
    'duration-ms': { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32,1' },
  },
});
const DURATION_MS = Number(values['duration-ms']);
const CONCURRENCY = values.concurrency.split(',').map(Number);
const DESCRIPTORS = [1, 2, 5];
const DOMAIN = 'bench';

// Every route-<d> descriptor limits each x-user-id value; the limit is never reached, so every call counts.
const config: RateLimitIR = {
  domain: DOMAIN,
  descriptors: DESCRIPTORS.slice(-1).flatMap((max) =>
    Array.from({ length: max }, (_, d) => ({
      key: 'route',
      value: `route-${d}`,
      descriptors: [{ key: 'x-user-id', limit: { requests: 1_000_000_000, unit: 'Hour' as const }, descriptors: [] }],
    })),
  ),
};

const loadBefore = loadavg()[0]!;
const redis = await startRedisServer();
const client = fork(join(import.meta.dirname, 'load-client.ts'), [], { execPath: process.execPath });
const load = (run: LoadRun): Promise<LoadResult> =>
  new Promise((resolve) => {
    client.once('message', (result) => resolve(result as LoadResult));
    client.send(run);
  });

const rows: (string | number)[][] = [];
try {
  const stores: [string, () => CounterStore][] = [
    ['redis', () => new RedisCounterStore(parseRedisUrl(redis.url))],
    ['memory', () => new MemoryCounterStore()],
  ];
  for (const [name, makeStore] of stores) {
    const store = makeStore();
    if (store instanceof RedisCounterStore) await store.client.waitConnected(5000);
    const server = await startRateLimitServer({ host: '127.0.0.1', port: 0, store });
    server.setConfig([config]);
    try {
      for (const [concurrency, descriptors] of CONCURRENCY.flatMap((c) => DESCRIPTORS.map((d) => [c, d] as const))) {
        const run: LoadRun = {
          port: server.port,
          domain: DOMAIN,
          descriptors,
          concurrency,
          durationMs: DURATION_MS,
          users: 10_000,
        };
        await load({ ...run, durationMs: Math.min(2000, DURATION_MS) }); // warm-up: JIT, connections
        const results: LoadResult[] = [];
        const cpuPerDecision: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          // The service runs in this process: its CPU time per decision does not depend on the machine's load.
          const cpu = process.cpuUsage();
          const result = await load(run);
          const used = process.cpuUsage(cpu);
          results.push(result);
          cpuPerDecision.push((used.user + used.system) / result.decisions);
        }
        const failures = results.reduce((n, r) => n + r.errors + r.overLimit, 0);
        rows.push([
          name,
          concurrency,
          descriptors,
          Math.round(median(results.map((r) => r.decisions / r.seconds))).toLocaleString('en-US'),
          ms(median(results.map((r) => r.p50Ms))),
          ms(median(results.map((r) => r.p99Ms))),
          Math.round(median(cpuPerDecision)),
          Math.round(1e6 / median(cpuPerDecision)).toLocaleString('en-US'),
          failures,
        ]);
      }
    } finally {
      await server.close();
    }
  }
} finally {
  client.disconnect();
  await redis.stop();
}

process.stdout.write(
  `ShouldRateLimit over gRPC from a separate process, ${RUNS} runs of ` +
    `${DURATION_MS / 1000} s after a warm-up; medians. Redis: pipelined INCRBY + EXPIRE per descriptor. ` +
    `Load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after.\n\n`,
);
printTable(
  [
    'store',
    'in flight',
    'descriptors',
    'decisions/s',
    'p50 ms',
    'p99 ms',
    'service CPU µs/decision',
    'decisions per CPU-s',
    'errors',
  ],
  rows,
);
