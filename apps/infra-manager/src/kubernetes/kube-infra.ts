import {
  ApiException,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { InfraIR } from '@eg/ir';
import type { Logger } from '@eg/service';
import { fleetPlacement, type DeployType, type FleetPlacement } from './placement.ts';
import { fleetLabels, renderFleet, type AppliedObject, type FleetOptions, type FleetXdsTls } from './render-fleet.ts';

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
  readonly deployType: DeployType;
  readonly controllerNamespace: string;
  readonly fleet: (irKey: string) => Omit<FleetOptions, 'placement' | 'xdsTls'>;
  /** mTLS to the xds-server: the controller namespace's Secret with Envoy's client certificate. */
  readonly xdsTls?: { readonly clientSecret: string; readonly sdsFiles: FleetXdsTls['sdsFiles'] };
}

/**
 * A pod mounts Secrets of its own namespace only: a fleet outside the controller namespace gets a copy of
 * the client certificate under this name (Envoy Gateway authenticates such fleets with ServiceAccount
 * tokens instead; we keep one mechanism, mTLS).
 */
export function copiedClientSecretName(fleetName: string): string {
  return `${fleetName}-xds-client`;
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

  constructor(opts: KubeInfraOptions) {
    this.opts = opts;
    this.api = KubernetesObjectApi.makeApiClient(opts.kc);
  }

  async createOrUpdate(irKey: string, infra: InfraIR): Promise<void> {
    // A Gateway without listeners needs no proxy yet (Envoy Gateway skips it as well).
    if (infra.proxy.listeners.length === 0) return this.delete(irKey);
    const placement = this.placement(irKey);
    const xdsTls = await this.xdsTlsFor(infra, placement);
    const fleet = renderFleet(infra, { ...this.opts.fleet(irKey), placement, ...(xdsTls && { xdsTls }) });
    for (const obj of [fleet.serviceAccount, fleet.configMap, fleet.workload, fleet.service]) await this.apply(obj);
    const { name, namespace: ns } = placement;
    // Switching between Deployment and DaemonSet removes the other one.
    const other = fleet.workload.kind === 'Deployment' ? 'DaemonSet' : 'Deployment';
    await this.remove({ apiVersion: 'apps/v1', kind: other }, ns, name);
    if (fleet.hpa) await this.apply(fleet.hpa);
    else await this.remove({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }, ns, name);
    if (fleet.pdb) await this.apply(fleet.pdb);
    else await this.remove({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }, ns, name);
  }

  async delete(irKey: string): Promise<void> {
    const { namespace, name } = this.placement(irKey);
    for (const k of KINDS) await this.remove(k, namespace, name);
    if (this.opts.xdsTls && namespace !== this.opts.controllerNamespace) {
      await this.remove({ apiVersion: 'v1', kind: 'Secret' }, namespace, copiedClientSecretName(name));
    }
  }

  /** The client certificate for a fleet: the controller's Secret, or a copy of it in the fleet's namespace. */
  private async xdsTlsFor(infra: InfraIR, placement: FleetPlacement): Promise<FleetXdsTls | undefined> {
    const tls = this.opts.xdsTls;
    if (!tls) return undefined;
    if (placement.namespace === this.opts.controllerNamespace) {
      return { secretName: tls.clientSecret, sdsFiles: tls.sdsFiles };
    }
    const source = await this.api.read({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: tls.clientSecret, namespace: this.opts.controllerNamespace },
    });
    const secretName = copiedClientSecretName(placement.name);
    await this.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: placement.namespace, labels: fleetLabels(infra) },
      type: 'kubernetes.io/tls',
      data: (source as { data?: Record<string, string> }).data ?? {},
    });
    return { secretName, sdsFiles: tls.sdsFiles };
  }

  placement(irKey: string): FleetPlacement {
    return fleetPlacement(irKey, this.opts.deployType, this.opts.controllerNamespace);
  }

  /**
   * Fleets that exist in the cluster, by owning Gateway IR key (to delete the ones whose Gateway is gone):
   * in the controller namespace, or in every namespace in GatewayNamespace mode.
   */
  async existingKeys(): Promise<Set<string>> {
    const namespace = this.opts.deployType === 'GatewayNamespace' ? undefined : this.opts.controllerNamespace;
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
