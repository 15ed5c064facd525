import {
  ApiException,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { InfraIR } from '@eg/ir';
import type { Logger } from '@eg/service';
import { fleetName, renderFleet, type AppliedObject, type FleetOptions } from './render-fleet.ts';

/** The field owner of everything this manager applies (Envoy Gateway's). */
export const FIELD_MANAGER = 'envoy-gateway';

const KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
];

export interface KubeInfraOptions {
  readonly kc: KubeConfig;
  readonly log: Logger;
  readonly fleet: (irKey: string) => FleetOptions;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/**
 * Kubernetes mode: one fleet of objects per IR key, server-side applied with force under one field owner
 * (as Envoy Gateway), so the fields this manager sets always win and the ones it does not set stay with
 * whoever set them.
 */
export class KubeInfra {
  private readonly api: KubernetesObjectApi;
  private readonly opts: KubeInfraOptions;
  /** The namespace each applied key's fleet lives in, to delete it when the key goes. */
  private readonly namespaces = new Map<string, string>();

  constructor(opts: KubeInfraOptions) {
    this.opts = opts;
    this.api = KubernetesObjectApi.makeApiClient(opts.kc);
  }

  async createOrUpdate(irKey: string, infra: InfraIR): Promise<void> {
    // A Gateway without listeners needs no proxy yet (Envoy Gateway skips it as well).
    if (infra.proxy.listeners.length === 0) return this.delete(irKey, infra.proxy.namespace);
    const fleet = renderFleet(infra, this.opts.fleet(irKey));
    this.namespaces.set(irKey, infra.proxy.namespace);
    for (const obj of [fleet.serviceAccount, fleet.configMap, fleet.workload, fleet.service]) await this.apply(obj);
    const name = fleetName(irKey);
    const ns = infra.proxy.namespace;
    // Switching between Deployment and DaemonSet removes the other one.
    const other = fleet.workload.kind === 'Deployment' ? 'DaemonSet' : 'Deployment';
    await this.remove({ apiVersion: 'apps/v1', kind: other }, ns, name);
    if (fleet.hpa) await this.apply(fleet.hpa);
    else await this.remove({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }, ns, name);
    if (fleet.pdb) await this.apply(fleet.pdb);
    else await this.remove({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, ns, name);
  }

  async delete(irKey: string, namespace = this.namespaces.get(irKey)): Promise<void> {
    if (namespace === undefined) return;
    const name = fleetName(irKey);
    for (const k of KINDS) await this.remove(k, namespace, name);
    this.namespaces.delete(irKey);
  }

  /** Fleets that exist in the cluster, by owning Gateway IR key (to delete the ones whose Gateway is gone). */
  async existingKeys(namespace: string): Promise<Set<string>> {
    const selector = 'app.kubernetes.io/managed-by=envoy-gateway,app.kubernetes.io/component=proxy';
    const keys = new Set<string>();
    for (const kind of ['Deployment', 'DaemonSet']) {
      const list = await this.api.list(
        'apps/v1',
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        selector,
      );
      for (const workload of list.items) {
        const labels = workload.metadata?.labels ?? {};
        const gwName = labels['gateway.envoyproxy.io/owning-gateway-name'];
        const gwNs = labels['gateway.envoyproxy.io/owning-gateway-namespace'];
        if (!gwName || !gwNs) continue;
        keys.add(`${gwNs}/${gwName}`);
        this.namespaces.set(`${gwNs}/${gwName}`, namespace);
      }
    }
    return keys;
  }

  private async apply(obj: AppliedObject): Promise<void> {
    await this.api.patch(
      obj as KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  private async remove(k: { apiVersion: string; kind: string }, namespace: string, name: string): Promise<void> {
    try {
      await this.api.delete({ ...k, metadata: { name, namespace } });
      this.opts.log.info('deleted', { kind: k.kind, namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
