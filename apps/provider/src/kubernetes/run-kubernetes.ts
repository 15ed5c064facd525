import { KubeConfig } from '@kubernetes/client-node';
import type { Bus, TraceContext } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';
import type { ResourceStatus } from '@eg/ir';
import type { ServiceContext } from '@eg/service';
import { endSpan, startTrace, traceContextOf } from '@eg/telemetry';
import { ResourcePublisher } from '../publish-resources.ts';
import { keyOf } from '../resource-set.ts';
import { ClusterCache } from './cluster-cache.ts';
import { syncGatewayClassFinalizers } from './gatewayclass-finalizer.ts';
import { KubeLease } from './kube-lease.ts';
import { WATCHED_KINDS } from './kinds.ts';
import { Normaliser } from './normalise.ts';
import { reachableObjects } from './reachable.ts';
import { StatusWriter } from './status-writer.ts';

export interface KubernetesModeOptions {
  /** A kubeconfig file; absent: $KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  /** The controller namespace (the status lease lives there). */
  readonly namespace: string;
  readonly holder: string;
  readonly leaseDurationMs: number;
  /** Cluster changes within this window are published together. */
  readonly settleMs: number;
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/**
 * Kubernetes mode: informers feed the resources bucket with what the managed GatewayClasses reach, and
 * the lease holder writes statuses and GatewayClass finalizers back.
 */
export async function runKubernetesMode(bus: Bus, opts: KubernetesModeOptions, ctx: ServiceContext): Promise<void> {
  const { log } = ctx;
  const kc = loadKubeConfig(opts.kubeconfig);
  const publisher = new ResourcePublisher(await bus.map<Resource>('resources'));
  const normaliser = new Normaliser();
  const lease = new KubeLease(kc, {
    namespace: opts.namespace,
    name: 'envoy-gateway-provider-status',
    holder: opts.holder,
    durationMs: opts.leaseDurationMs,
    onError: (err) => log.warn('status lease error', { err }),
  });
  ctx.onShutdown(() => lease.release());
  lease.onChange((leader) => log.info(leader ? 'status writer leading' : 'status writer standing by'));

  let ready = false;
  let timer: NodeJS.Timeout | undefined;
  let publishing = Promise.resolve();
  const cache: ClusterCache = new ClusterCache(kc, log, (kind) => {
    if (!ready) return;
    writer.objectsChanged(kind);
    clearTimeout(timer);
    timer = setTimeout(schedulePublish, opts.settleMs);
  });
  const writer = new StatusWriter({ kc, cache, lease, log });
  ctx.onShutdown(() => writer.stop());

  const publish = async (): Promise<void> => {
    // The change's trace starts at the watch events that led here.
    const span = startTrace('provider.reload', { attributes: { 'provider.mode': 'kubernetes' } });
    try {
      await publishReachable(traceContextOf(span)!);
      endSpan(span);
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  };
  const publishReachable = async (trace: TraceContext): Promise<void> => {
    const loaded = normaliser.normalise(reachableObjects((kind) => cache.list(kind)));
    for (const err of loaded.errors) log.error('invalid resource', { error: err.message });
    const set = new Map<string, Resource>(loaded.resources.map((r) => [keyOf(r), r]));
    const counts = await publisher.publish(set, trace);
    if (counts.written + counts.deleted > 0) {
      log.info('resources published', { resources: set.size, ...counts, traceparent: trace.traceparent });
    }
    if (lease.isLeader()) await syncGatewayClassFinalizers(kc, cache);
  };
  // Serialised so that an older reading of the cluster is never published after a newer one.
  const schedulePublish = (): void => {
    publishing = publishing.then(publish).catch((err: unknown) => log.error('publish failed', { err }));
  };
  lease.onChange((leader) => {
    if (leader) schedulePublish();
  });

  await cache.start(WATCHED_KINDS);
  ctx.onShutdown(() => {
    clearTimeout(timer);
    return cache.stop();
  });
  ready = true;
  schedulePublish();
  await publishing;
  ctx.health.markReady();

  const statuses = await bus.map<ResourceStatus>('status');
  void (async () => {
    for await (const snapshot of statuses.subscribe({ atCommit: true, signal: ctx.signal })) {
      writer.setDesired(new Map([...snapshot.state].map(([key, entry]) => [key, entry.value])));
    }
  })().catch((err: unknown) => log.error('status watch ended', { err }));
}
