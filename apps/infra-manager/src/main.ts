import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { InfraIR } from '@eg/ir';
import { runService } from '@eg/service';
import { inSpan, recordSubscription } from '@eg/telemetry';
import { renderBootstrap } from '@eg/xds';
import { findEnvoyBinary } from '@eg/envoy-binary';
import { HostInfra } from './host/host-infra.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    'xds-host': { type: 'string', default: '127.0.0.1' },
    'xds-port': { type: 'string', default: '18000' },
    'envoy-binary': { type: 'string' },
    'envoy-log-level': { type: 'string', default: 'warn' },
    'drain-time-s': { type: 'string', default: '5' },
  },
});

await runService({
  name: 'infra-manager',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const infra = new HostInfra({
      binary: findEnvoyBinary(values['envoy-binary']),
      bootstrapFor: (irKey, nodeId) =>
        renderBootstrap({
          nodeCluster: irKey,
          nodeId,
          xdsHost: values['xds-host'],
          xdsPort: Number(values['xds-port']),
          adminAddress: '127.0.0.1',
          // Host mode: several fleets share one machine, so admin and readiness ports are random.
          adminPort: 0,
          readinessPort: 0,
        }),
      logLevel: values['envoy-log-level'],
      drainTimeSeconds: Number(values['drain-time-s']),
      log,
    });
    onShutdown(() => infra.close());
    const bus = await connectBus({ servers: values.nats, name: 'infra-manager' });
    onShutdown(() => bus.close());
    const map = await bus.map<InfraIR>('infra-ir');

    for await (const snapshot of map.subscribe({ atCommit: true, signal })) {
      const changes = snapshot.initial
        ? [...snapshot.state.keys()].map((key) => ({ key, deleted: false }))
        : snapshot.updates.map((u) => ({ key: u.key, deleted: u.type === 'delete' }));
      const started = performance.now();
      let failed = false;
      for (const { key, deleted } of changes) {
        const entry = snapshot.state.get(key);
        try {
          await inSpan(
            'infra.apply',
            entry?.trace,
            { attributes: { 'infra.key': key, 'infra.deleted': deleted } },
            () => (deleted || !entry ? infra.delete(key) : infra.createOrUpdate(key, entry.value)),
          );
        } catch (err) {
          failed = true;
          log.error('infra update failed', { key, err });
        }
      }
      recordSubscription('infrastructure', started, failed);
      if (snapshot.initial) health.markReady();
    }
  },
});
