import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from './server.ts';

let server: KubeApiServer;
let kc: KubeConfig;
let objects: KubernetesObjectApi;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 50, historySize: 50 });
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  objects = KubernetesObjectApi.makeApiClient(kc);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
});
afterAll(() => server.stop());

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function apiError(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) return err as ApiException<string>;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const route = (name: string, hostname = 'a.example.com') => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { hostnames: [hostname] },
});

describe('kube-apiserver emulator with @kubernetes/client-node', () => {
  it('creates, reads, replaces and deletes through discovery-driven KubernetesObjectApi', async () => {
    const created: KubernetesObject = await objects.create(route('crud'));
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.generation).toBe(1);
    expect((await apiError(objects.create(route('crud')))).code).toBe(409);

    const read = await objects.read({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'crud', namespace: 'default' },
    });
    const replaced = await objects.replace({ ...read, spec: { hostnames: ['b.example.com'] } });
    expect(replaced.metadata?.generation).toBe(2);
    // A replace from a stale read is rejected (optimistic concurrency).
    expect((await apiError(objects.replace({ ...read, spec: { hostnames: ['c.example.com'] } }))).code).toBe(409);

    const list = await objects.list('gateway.networking.k8s.io/v1', 'HTTPRoute', 'default');
    expect(list.items.map((i) => i.metadata?.name)).toContain('crud');
    // Pagination with limit and continue (client-node keeps the token for built-in kinds only).
    for (const name of ['page-a', 'page-b'])
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
    const first = await core.listNamespacedConfigMap({ namespace: 'default', limit: 1 });
    const rest = await core.listNamespacedConfigMap({
      namespace: 'default',
      limit: 1,
      _continue: first.metadata!._continue!,
    });
    expect([...first.items, ...rest.items].map((i) => i.metadata?.name)).toEqual(['page-a', 'page-b']);
    expect(rest.metadata?._continue).toBeUndefined();
    await objects.delete(replaced);
    expect((await apiError(objects.read(route('crud')))).code).toBe(404);
    expect(
      (await apiError(objects.create({ ...route('x'), metadata: { name: 'x', namespace: 'missing' } }))).code,
    ).toBe(404);
  });

  it('feeds an informer that relists after 410 Gone and resumes after a dropped watch', async () => {
    const informer = makeInformer(kc, '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes', () =>
      custom.listNamespacedCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: 'default',
        plural: 'httproutes',
      }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await objects.create(route('r1'));
    await informer.start();
    await until(() => seen.includes('add r1'), 'r1 listed');

    await objects.replace({ ...(await objects.read(route('r1'))), spec: { hostnames: ['z.example.com'] } });
    await objects.create(route('r2'));
    await until(() => seen.includes('add r2') && seen.includes('update r1'), 'watch events');

    // A dropped stream resumes from the last resourceVersion without missing a change.
    server.closeWatches();
    await objects.create(route('r3'));
    await until(() => seen.includes('add r3'), 'r3 after reconnect');

    // History compacted while the watch is down: the resume gets 410 and the informer relists.
    server.compact();
    await objects.delete(route('r2'));
    server.closeWatches();
    await objects.create(route('r4'));
    await until(() => seen.includes('add r4') && seen.includes('delete r2'), 'relist after 410');
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['r1', 'r3', 'r4']);
    await informer.stop();
  });

  it('sends bookmarks and a 410 ERROR event for an expired resourceVersion on raw watches', async () => {
    const events: string[] = [];
    const watch = new Watch(kc);
    const live = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { allowWatchBookmarks: true, resourceVersion: server.store.resourceVersion },
      (type) => events.push(type),
      () => {},
    );
    await until(() => events.includes('BOOKMARK'), 'bookmark');
    live.abort();

    server.compact();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after' } } });
    const expired: { type: string; code?: number }[] = [];
    await new Promise<void>((done) => {
      void watch.watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: '1' },
        (type, obj: { code?: number }) => expired.push({ type, code: obj.code }),
        () => done(),
      );
    });
    expect(expired).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it('applies server-side without removing or fighting over fields another manager set', async () => {
    const service = (annotations: Record<string, string>, type = 'LoadBalancer'): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'envoy', namespace: 'default', annotations },
        spec: { type, ports: [{ name: 'http', port: 80, targetPort: 10080 }] },
      }) as KubernetesObject;
    const apply = (obj: KubernetesObject, force = false) =>
      objects.patch(obj, undefined, undefined, 'infra', force, PatchStrategy.ServerSideApply);

    const first = (await apply(service({ ours: 'a', gone: 'soon' }))) as KubernetesObject & {
      spec: { clusterIP: string };
    };
    expect(first.spec.clusterIP).toMatch(/^10\.96\./);
    expect(first.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['infra', 'Apply']]);

    // A cloud controller adds its annotation with a merge patch.
    await core.patchNamespacedService(
      {
        name: 'envoy',
        namespace: 'default',
        body: { metadata: { annotations: { 'lb.cloud/id': 'lb-1' } } },
        fieldManager: 'cloud',
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const second = await apply(service({ ours: 'b' }));
    expect(second.metadata?.annotations).toEqual({ ours: 'b', 'lb.cloud/id': 'lb-1' });

    const conflict = await apiError(apply(service({ ours: 'b', 'lb.cloud/id': 'mine' })));
    expect(conflict.code).toBe(409);
    expect(String(conflict.body)).toContain('conflict with \\"cloud\\"');
    // Applying the same value is shared ownership, not a conflict.
    await apply(service({ ours: 'b', 'lb.cloud/id': 'lb-1' }));
    const forced = await apply(service({ ours: 'b', 'lb.cloud/id': 'mine' }), true);
    expect(forced.metadata?.annotations?.['lb.cloud/id']).toBe('mine');
  });

  it('keeps status behind the status subresource and generation for spec changes', async () => {
    const gw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'default' },
      spec: { gatewayClassName: 'eg' },
      status: { addresses: [] },
    };
    const created = (await objects.create(gw)) as typeof gw;
    expect(created.status).toBeUndefined();
    const withStatus = (await custom.replaceNamespacedCustomObjectStatus({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'default',
      plural: 'gateways',
      name: 'gw',
      body: { ...created, status: { conditions: [{ type: 'Accepted', status: 'True' }] } },
    })) as typeof gw & { metadata: { generation: number } };
    expect(withStatus.metadata.generation).toBe(1);
    expect(withStatus.status).toEqual({ conditions: [{ type: 'Accepted', status: 'True' }] });
    const patched = (await custom.patchNamespacedCustomObjectStatus(
      {
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: 'default',
        plural: 'gateways',
        name: 'gw',
        body: { status: { addresses: [{ value: '1.2.3.4' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as typeof withStatus;
    expect(patched.status).toMatchObject({ addresses: [{ value: '1.2.3.4' }] });
    // The main resource ignores status and bumps generation for a spec change.
    const replaced = (await objects.replace({
      ...patched,
      spec: { gatewayClassName: 'other' },
      status: {},
    })) as typeof patched;
    expect(replaced.metadata.generation).toBe(2);
    expect(replaced.status).toMatchObject({ addresses: [{ value: '1.2.3.4' }] });
  });

  it('serves Leases with optimistic concurrency and deletes through finalizers and owner references', async () => {
    const leases = kc.makeApiClient(CoordinationV1Api);
    const lease = await leases.createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } },
    });
    await leases.replaceNamespacedLease({
      namespace: 'default',
      name: 'leader',
      body: { ...lease, spec: { holderIdentity: 'b' } },
    });
    expect(
      (
        await apiError(
          leases.replaceNamespacedLease({
            namespace: 'default',
            name: 'leader',
            body: { ...lease, spec: { holderIdentity: 'c' } },
          }),
        )
      ).code,
    ).toBe(409);

    const gc = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'eg', finalizers: ['gateway-exists-finalizer.gateway.networking.k8s.io'] },
      spec: { controllerName: 'x' },
    };
    const created: KubernetesObject = await objects.create(gc);
    const owned = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            {
              apiVersion: 'gateway.networking.k8s.io/v1',
              kind: 'GatewayClass',
              name: 'eg',
              uid: created.metadata!.uid!,
            },
          ],
        },
      },
    });
    expect(owned.metadata?.name).toBe('owned');
    await objects.delete(created);
    const terminating = await objects.read(gc);
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    await objects.replace({ ...terminating, metadata: { ...terminating.metadata, finalizers: [] } });
    expect((await apiError(objects.read(gc))).code).toBe(404);
    expect((await apiError(core.readNamespacedConfigMap({ namespace: 'default', name: 'owned' }))).code).toBe(404);
  });
});
