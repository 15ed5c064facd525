import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import { DEFAULT_NAMESPACE, type InfraIR } from '@eg/ir';
import { runService } from '@eg/service';
import { renderBootstrap } from '@eg/xds';
import { findEnvoyBinary } from '@eg/envoy-binary';
import { hostname } from 'node:os';
import { HostInfra } from './host/host-infra.ts';
import { runKubernetesInfra } from './kubernetes/run-kubernetes.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    // Default: 127.0.0.1 on the host; the xds-server Service's name in Kubernetes.
    'xds-host': { type: 'string' },
    'xds-port': { type: 'string', default: '18000' },
    'envoy-binary': { type: 'string' },
    'envoy-log-level': { type: 'string', default: 'warn' },
    'drain-time-s': { type: 'string', default: '5' },
    kubernetes: { type: 'boolean', default: false },
    kubeconfig: { type: 'string', default: process.env['KUBECONFIG'] },
    holder: { type: 'string', default: process.env['POD_NAME'] ?? `${hostname()}-${process.pid}` },
    'lease-ttl-s': { type: 'string', default: '15' },
    'envoy-image': { type: 'string', default: 'docker.io/envoyproxy/envoy:distroless-v1.36.2' },
  },
});

if (values.kubernetes) {
  await runService({
    name: 'infra-manager',
    healthPort: Number(values['health-port']),
    start: async (ctx) => {
      const bus = await connectBus({ servers: values.nats, name: 'infra-manager' });
      ctx.onShutdown(() => bus.close());
      await runKubernetesInfra(
        bus,
        {
          kubeconfig: values.kubeconfig,
          holder: values.holder,
          leaseTtlMs: Number(values['lease-ttl-s']) * 1000,
          image: values['envoy-image'],
          xdsHost: values['xds-host'] ?? `envoy-gateway.${DEFAULT_NAMESPACE}.svc.cluster.local`,
          xdsPort: Number(values['xds-port']),
          logLevel: values['envoy-log-level'],
          drainTimeSeconds: Number(values['drain-time-s']),
        },
        ctx,
      );
    },
  });
} else {
  await runHostMode();
}

async function runHostMode(): Promise<void> {
  await runService({
    name: 'infra-manager',
    healthPort: Number(values['health-port']),
    start: async ({ log, health, signal, onShutdown }) => {
      const infra = new HostInfra({
        binary: findEnvoyBinary(values['envoy-binary']),
        bootstrapFor: (irKey, nodeId) =>
          renderBootstrap({
            nodeCluster: irKey,
            nodeId,
            xdsHost: values['xds-host'] ?? '127.0.0.1',
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
        for (const { key, deleted } of changes) {
          const entry = snapshot.state.get(key);
          try {
            if (deleted || !entry) await infra.delete(key);
            else await infra.createOrUpdate(key, entry.value);
          } catch (err) {
            log.error('infra update failed', { key, err });
          }
        }
        if (snapshot.initial) health.markReady();
      }
    },
  });
}
