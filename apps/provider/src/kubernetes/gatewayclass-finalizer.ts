import { KubernetesObjectApi, PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { CONTROLLER_NAME } from '@eg/ir';
import type { ClusterCache } from './cluster-cache.ts';

export const GATEWAYCLASS_FINALIZER = 'gateway-exists-finalizer.gateway.networking.k8s.io';

/**
 * Keeps the Gateway API finalizer on each managed GatewayClass while Gateways use it, so a class in use
 * cannot vanish from under them (as Envoy Gateway does). Returns the number of classes changed.
 */
export async function syncGatewayClassFinalizers(kc: KubeConfig, cache: ClusterCache): Promise<number> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const used = new Set(
    cache.list('Gateway').map((g) => (g as { spec?: { gatewayClassName?: string } }).spec?.gatewayClassName),
  );
  let changed = 0;
  for (const gc of cache.list('GatewayClass')) {
    if ((gc as { spec?: { controllerName?: string } }).spec?.controllerName !== CONTROLLER_NAME) continue;
    const finalizers = gc.metadata?.finalizers ?? [];
    const has = finalizers.includes(GATEWAYCLASS_FINALIZER);
    const wanted = used.has(gc.metadata?.name);
    if (has === wanted) continue;
    const next = wanted
      ? [...finalizers, GATEWAYCLASS_FINALIZER]
      : finalizers.filter((f) => f !== GATEWAYCLASS_FINALIZER);
    // resourceVersion in the patch makes it conditional: a concurrent edit fails it and the next sync retries.
    await api.patch(
      {
        apiVersion: gc.apiVersion ?? 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: gc.metadata!.name!, resourceVersion: gc.metadata!.resourceVersion!, finalizers: next },
      },
      undefined,
      undefined,
      'envoy-gateway',
      undefined,
      PatchStrategy.MergePatch,
    );
    changed++;
  }
  return changed;
}
