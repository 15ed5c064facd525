import { KubeConfig } from '@kubernetes/client-node';
import type { Bus, Entry } from '@eg/bus';
import { DEFAULT_NAMESPACE, type InfraIR } from '@eg/ir';
import type { ServiceContext } from '@eg/service';
import { renderBootstrap } from '@eg/xds';
import { KubeInfra } from './kube-infra.ts';

export interface KubernetesInfraOptions {
  readonly kubeconfig: string | undefined;
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly image: string;
  /** The xds-server Service's address as Envoy pods resolve it. */
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly logLevel: string;
  readonly drainTimeSeconds: number;
}

/**
 * Kubernetes mode: the lease holder applies one fleet per infra IR entry and deletes fleets whose entry
 * is gone; standbys follow the bucket and take over with a full resync.
 */
export async function runKubernetesInfra(bus: Bus, opts: KubernetesInfraOptions, ctx: ServiceContext): Promise<void> {
  const { log, health, signal } = ctx;
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  const infra = new KubeInfra({
    kc,
    log,
    fleet: (irKey) => ({
      image: opts.image,
      logLevel: opts.logLevel,
      drainTimeSeconds: opts.drainTimeSeconds,
      bootstrap: renderBootstrap({
        nodeCluster: irKey,
        nodeId: irKey,
        xdsHost: opts.xdsHost,
        xdsPort: opts.xdsPort,
        adminAddress: '127.0.0.1',
        adminPort: 19000,
        readinessPort: 19003,
      }),
    }),
  });
  const lease = bus.lease('infra-manager', opts.holder, { ttlMs: opts.leaseTtlMs });
  ctx.onShutdown(() => lease.release());
  const map = await bus.map<InfraIR>('infra-ir');
  let state: ReadonlyMap<string, Entry<InfraIR>> = new Map();
  let work = Promise.resolve();

  const apply = async (key: string): Promise<void> => {
    const entry = state.get(key);
    try {
      if (entry) await infra.createOrUpdate(key, entry.value);
      else await infra.delete(key);
    } catch (err) {
      log.error('infra update failed', { key, err });
    }
  };
  const resync = async (): Promise<void> => {
    const namespaces = new Set([DEFAULT_NAMESPACE, ...[...state.values()].map((e) => e.value.proxy.namespace)]);
    const existing = new Set<string>();
    for (const ns of namespaces) for (const key of await infra.existingKeys(ns)) existing.add(key);
    for (const key of new Set([...existing, ...state.keys()])) await apply(key);
    log.info('fleets resynced', { fleets: state.size });
  };
  const enqueue = (job: () => Promise<void>): void => {
    work = work.then(job).catch((err: unknown) => log.error('infra work failed', { err }));
  };
  lease.onChange((leader) => {
    log.info(leader ? 'infra-manager leading' : 'infra-manager standing by');
    if (leader) enqueue(resync);
  });

  for await (const snapshot of map.subscribe({ atCommit: true, signal })) {
    state = snapshot.state;
    if (snapshot.initial) health.markReady();
    if (!lease.isLeader()) continue;
    const keys = snapshot.initial ? [...state.keys()] : snapshot.updates.map((u) => u.key);
    enqueue(async () => {
      for (const key of keys) await apply(key);
    });
  }
}
