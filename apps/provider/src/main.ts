import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectBus, type TraceContext } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';
import type { ResourceStatus } from '@eg/ir';
import { runService } from '@eg/service';
import { endSpan, startTrace, traceContextOf } from '@eg/telemetry';
import { readFolder } from './file/read-folder.ts';
import { watchFolder } from './file/watch-folder.ts';
import { loadFolder, type FileState } from './file/last-good.ts';
import { mergeFiles } from './resource-set.ts';
import { ResourcePublisher } from './publish-resources.ts';
import { runKubernetesMode } from './kubernetes/run-kubernetes.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    resources: { type: 'string' },
    kubernetes: { type: 'boolean', default: false },
    kubeconfig: { type: 'string', default: process.env['KUBECONFIG'] },
    namespace: { type: 'string', default: process.env['ENVOY_GATEWAY_NAMESPACE'] ?? 'envoy-gateway-system' },
    holder: { type: 'string', default: process.env['POD_NAME'] ?? `${hostname()}-${process.pid}` },
    'lease-duration-s': { type: 'string', default: '15' },
  },
});

if (values.kubernetes === Boolean(values.resources)) {
  process.stderr.write('provider: give either --resources DIR (file mode) or --kubernetes\n');
  process.exit(2);
}

if (values.kubernetes) {
  await runService({
    name: 'provider',
    healthPort: Number(values['health-port']),
    config: values,
    start: async (ctx) => {
      const bus = await connectBus({ servers: values.nats, name: 'provider' });
      ctx.onShutdown(() => bus.close());
      await runKubernetesMode(
        bus,
        {
          kubeconfig: values.kubeconfig,
          namespace: values.namespace,
          holder: values.holder,
          leaseDurationMs: Number(values['lease-duration-s']) * 1000,
          settleMs: 50,
        },
        ctx,
      );
    },
  });
} else {
  await runFileMode(resolve(values.resources!));
}

async function runFileMode(dir: string): Promise<void> {
  await runService({
    name: 'provider',
    healthPort: Number(values['health-port']),
    config: values,
    start: async ({ log, health, onShutdown }) => {
      const bus = await connectBus({ servers: values.nats, name: 'provider' });
      onShutdown(() => bus.close());
      const publisher = new ResourcePublisher(await bus.map<Resource>('resources'));
      let files = new Map<string, FileState>();
      let reloading = Promise.resolve();

      const reload = async (): Promise<void> => {
        // The change's trace starts here: every bus entry it causes downstream carries this context.
        const span = startTrace('provider.reload', { attributes: { 'provider.dir': dir } });
        try {
          await publish(traceContextOf(span)!);
          endSpan(span);
        } catch (err) {
          endSpan(span, err);
          throw err;
        }
      };
      const publish = async (trace: TraceContext): Promise<void> => {
        files = loadFolder(await readFolder(dir), files);
        const set = mergeFiles(files);
        for (const err of set.errors) log.error('invalid resource', { error: err.message });
        for (const dup of set.duplicates) log.error('duplicate resource', { error: dup });
        const counts = await publisher.publish(set.resources, trace);
        log.info('resources published', {
          files: files.size,
          resources: set.resources.size,
          errors: set.errors.length,
          ...counts,
          traceparent: trace.traceparent,
        });
      };
      // Serialise reloads: a burst of edits must never publish an older reading after a newer one.
      const scheduleReload = (): void => {
        reloading = reloading.then(reload).catch((err: unknown) => log.error('reload failed', { err }));
      };

      await reload();
      const stopWatching = watchFolder(dir, scheduleReload);
      onShutdown(stopWatching);
      health.markReady();

      // Standalone has no API server to write status to: log each change (egctl x status reads the bucket).
      const statuses = await bus.map<ResourceStatus>('status');
      void (async () => {
        for await (const snapshot of statuses.subscribe({ atCommit: true })) {
          for (const update of snapshot.updates) {
            if (update.type === 'put') log.info('status', { key: update.key, status: update.entry.value.status });
          }
        }
      })().catch((err: unknown) => log.error('status watch ended', { err }));
    },
  });
}
