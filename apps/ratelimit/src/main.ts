import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { RateLimitIR } from '@eg/ir';
import { runService } from '@eg/service';
import { recordSubscription } from '@eg/telemetry';
import { startRateLimitServer } from './rls-server.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8080' },
    host: { type: 'string', default: '0.0.0.0' },
    // Envoy Gateway's rate-limit service answers Envoy on 8081.
    'grpc-port': { type: 'string', default: '8081' },
  },
});

await runService({
  name: 'ratelimit',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const server = await startRateLimitServer({ host: values.host, port: Number(values['grpc-port']) });
    onShutdown(() => server.close());
    log.info('rate limit service listening', { port: server.port });
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
