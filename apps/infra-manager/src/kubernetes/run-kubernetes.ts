import { KubeConfig } from '@kubernetes/client-node';
import type { Bus, Entry } from '@eg/bus';
import type { InfraIR } from '@eg/ir';
import type { ServiceContext } from '@eg/service';
import { renderBootstrap, xdsSdsFiles } from '@eg/xds';
import { KubeInfra } from './kube-infra.ts';
import type { DeployType } from './placement.ts';
import { CERTS_DIR, SDS_DIR } from './render-fleet.ts';

export interface KubernetesInfraOptions {
  readonly kubeconfig: string | undefined;
  readonly holder: string;
  readonly leaseTtlMs: number;
  readonly image: string;
  /** Where the control plane runs: the xds-server's Secrets, and the fleets unless GatewayNamespace. */
  readonly controllerNamespace: string;
  readonly deployType: DeployType;
  /** The xds-server Service's address as Envoy pods resolve it. */
  readonly xdsHost: string;
  readonly xdsPort: number;
  /** mTLS to the xds-server with the client certificate in this Secret (certgen's `envoy`); plaintext without. */
  readonly xdsClientSecret: string | undefined;
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
  // Envoy Gateway's layout: the Secret at /certs, SDS files naming its files at /sds (Envoy watches them).
  const sds = xdsSdsFiles({
    certificatePath: `${CERTS_DIR}/tls.crt`,
    privateKeyPath: `${CERTS_DIR}/tls.key`,
    caPath: `${CERTS_DIR}/ca.crt`,
  });
  const xdsTls = opts.xdsClientSecret
    ? {
        clientSecret: opts.xdsClientSecret,
        sdsFiles: { 'xds-certificate.json': sds.certificate, 'xds-trusted-ca.json': sds.trustedCa },
      }
    : undefined;
  const infra = new KubeInfra({
    ...(xdsTls && { xdsTls }),
    kc,
    log,
    deployType: opts.deployType,
    controllerNamespace: opts.controllerNamespace,
    fleet: (irKey) => ({
      image: opts.image,
      logLevel: opts.logLevel,
      drainTimeSeconds: opts.drainTimeSeconds,
      bootstrap: renderBootstrap({
        nodeCluster: irKey,
        nodeId: irKey,
        xdsHost: opts.xdsHost,
        xdsPort: opts.xdsPort,
        ...(xdsTls && {
          xdsTls: {
            sdsCertificatePath: `${SDS_DIR}/xds-certificate.json`,
            sdsTrustedCaPath: `${SDS_DIR}/xds-trusted-ca.json`,
          },
        }),
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
    const existing = await infra.existingKeys();
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
