import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { XdsIR } from '@eg/ir';
import { runService } from '@eg/service';
import { inSpan, recordSubscription, recordTranslation } from '@eg/telemetry';
import { translateXds } from '@eg/xds';
import { startXdsServer } from './ads-server.ts';
import { snapshotUpdates } from './metrics.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '18000' },
  },
});

await runService({
  name: 'xds-server',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const server = await startXdsServer({ host: values.host, port: Number(values.port) });
    onShutdown(() => server.close());
    log.info('ADS listening', { port: server.port });
    const bus = await connectBus({ servers: values.nats, name: 'xds-server' });
    onShutdown(() => bus.close());
    const irs = await bus.map<XdsIR>('xds-ir');

    // Stateless: every replica builds the same snapshots from the same IR, so any can serve any Envoy.
    for await (const snapshot of irs.subscribe({ atCommit: true, signal })) {
      const started = performance.now();
      const keys = snapshot.initial ? [...snapshot.state.keys()] : snapshot.updates.map((u) => u.key);
      for (const key of keys) {
        const entry = snapshot.state.get(key);
        if (!entry) {
          server.cache.deleteSnapshot(key);
          log.info('snapshot removed', { key });
          continue;
        }
        try {
          inSpan('xds.translate', entry.trace, { attributes: { 'xds.node_cluster': key } }, (_span, trace) => {
            const translateStarted = performance.now();
            const resources = translateXds(entry.value);
            recordTranslation('xds', translateStarted);
            server.cache.setSnapshot(key, resources, trace);
          });
          snapshotUpdates.inc({ node_cluster: key });
          log.info('snapshot updated', { key, traceparent: entry.trace?.traceparent });
        } catch (err) {
          // Envoy keeps its last good config; the IR stays as it is until the next change.
          log.error('xds translation failed', { key, err });
        }
      }
      recordSubscription('xds-server', started);
      if (snapshot.initial) health.markReady();
    }
  },
});
