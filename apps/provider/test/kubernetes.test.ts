import { resolve } from 'node:path';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';
import {
  ALL_TYPES,
  eventually,
  freePort,
  startKubeApiServer,
  startNatsServer,
  startServiceProcess,
  waitUntilReady,
  type KubeApiServer,
  type NatsServerFixture,
  type ServiceProcess,
} from '@eg/testing';

// The provider in Kubernetes mode against the API-server emulator, with the real translator between:
// cluster objects in, the bus holding only what the managed GatewayClass reaches, statuses back out.

const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
const GW = { group: 'gateway.networking.k8s.io', version: 'v1' };

interface Condition {
  type: string;
  status: string;
  reason: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}
interface Obj {
  metadata: { name: string; finalizers?: string[]; generation?: number };
  status?: {
    conditions?: Condition[];
    addresses?: { type: string; value: string }[];
    parents?: { controllerName: string; parentRef: { name: string }; conditions: Condition[] }[];
  };
}

// The machine is shared with other work: wait generously, assert nothing about time.
const settle = <T>(check: () => Promise<T>) => eventually(check, { timeoutMs: 30_000 });

describe('provider (Kubernetes mode)', { timeout: 120_000 }, () => {
  let api: KubeApiServer;
  let nats: NatsServerFixture;
  let bus: Bus;
  let resources: WatchableMap<Resource>;
  let dir: string;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const processes: ServiceProcess[] = [];
  let providers: ServiceProcess[] = [];

  const startProvider = async (holder: string): Promise<ServiceProcess> => {
    const port = await freePort();
    const p = startServiceProcess(resolve(import.meta.dirname, '../src/main.ts'), [
      ...['--nats', nats.url, '--health-port', String(port), '--kubernetes', '--kubeconfig', join(dir, 'kubeconfig')],
      ...['--holder', holder, '--lease-duration-s', '6'],
    ]);
    processes.push(p);
    await waitUntilReady(port);
    return p;
  };

  const get = async (plural: string, name: string, namespace?: string): Promise<Obj> =>
    (namespace
      ? await custom.getNamespacedCustomObject({ ...GW, namespace, plural, name })
      : await custom.getClusterCustomObject({ ...GW, plural, name })) as Obj;

  const create = (plural: string, body: object, namespace?: string): Promise<unknown> =>
    namespace
      ? custom.createNamespacedCustomObject({ ...GW, namespace, plural, body })
      : custom.createClusterCustomObject({ ...GW, plural, body });

  const httpRoute = (name: string, parent: string, backend = 'backend') => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'default' },
    spec: { parentRefs: [{ name: parent }], rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] },
  });

  beforeAll(async () => {
    // TLSRoute's CRD is not installed: the provider must skip it, not crash.
    api = await startKubeApiServer({ types: ALL_TYPES.filter((t) => t.kind !== 'TLSRoute') });
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'eg-k8s-provider-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeconfig);
    kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: 'envoy-gateway-system' } } });

    await create('gatewayclasses', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'eg' },
      spec: { controllerName: CONTROLLER },
    });
    await create('gatewayclasses', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'other' },
      spec: { controllerName: 'example.com/other' },
    });
    for (const [name, cls] of [
      ['eg', 'eg'],
      ['foreign', 'other'],
    ]) {
      await create(
        'gateways',
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name, namespace: 'default' },
          spec: { gatewayClassName: cls, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
        },
        'default',
      );
    }
    await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'backend' }, spec: { ports: [{ port: 8080 }] } },
    });
    await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: 'default',
      body: {
        metadata: { name: 'backend-1', labels: { 'kubernetes.io/service-name': 'backend' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.1'] }],
        ports: [{ port: 8080 }],
      },
    });
    await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'unrelated' }, spec: { ports: [{ port: 80 }] } },
    });
    for (let i = 0; i < 300; i++) {
      await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name: `unrelated-${i}` }, stringData: { k: 'v' } },
      });
    }
    await create('httproutes', httpRoute('mine', 'eg'), 'default');
    await create('httproutes', httpRoute('theirs', 'foreign', 'unrelated'), 'default');
    await custom.createNamespacedCustomObject({
      group: 'gateway.envoyproxy.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'securitypolicies',
      body: {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'SecurityPolicy',
        metadata: { name: 'jwt', namespace: 'default' },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'mine' }],
          jwt: { providers: [{ name: 'a', remoteJWKS: { uri: 'https://auth.example.com/jwks.json' } }] },
        },
      },
    });

    const translatorPort = await freePort();
    processes.push(
      startServiceProcess(resolve(import.meta.dirname, '../../translator/src/main.ts'), [
        '--nats',
        nats.url,
        '--health-port',
        String(translatorPort),
      ]),
    );
    await waitUntilReady(translatorPort);
    providers = [await startProvider('provider-a'), await startProvider('provider-b')];
    bus = await connectBus({ servers: nats.url, name: 'k8s-provider-test' });
    resources = await bus.map<Resource>('resources');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await bus?.close();
    await nats?.stop();
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes only what the managed GatewayClass reaches, normalised like the file provider', async () => {
    await settle(async () =>
      expect((await resources.keys()).filter((k) => !k.startsWith('Namespace/')).sort()).toEqual([
        'EndpointSlice/default/backend-1',
        'Gateway/default/eg',
        'GatewayClass/eg',
        'HTTPRoute/default/mine',
        'SecurityPolicy/default/jwt',
        'Service/default/backend',
      ]),
    );
    const route = (await resources.get('HTTPRoute/default/mine'))?.value as unknown as {
      metadata: object;
      spec: { parentRefs: object[] };
    };
    // Defaults filled by the loader, server-managed metadata left out.
    expect(route.spec.parentRefs[0]).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg' });
    expect(Object.keys(route.metadata).sort()).toEqual([
      'creationTimestamp',
      'generation',
      'labels',
      'name',
      'namespace',
    ]);
    expect(
      providers[0]!.logs.some(
        (r) => r.msg === 'kind not served by the API server; skipped' && r['kind'] === 'TLSRoute',
      ),
    ).toBe(true);
  });

  it('writes statuses with observedGeneration and lastTransitionTime, and the GatewayClass finalizer', async () => {
    await settle(async () => {
      const gc = await get('gatewayclasses', 'eg');
      expect(gc.status?.conditions?.[0]).toMatchObject({ type: 'Accepted', status: 'True', observedGeneration: 1 });
      expect(gc.status?.conditions?.[0]?.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(gc.metadata.finalizers).toEqual(['gateway-exists-finalizer.gateway.networking.k8s.io']);
      const gw = await get('gateways', 'eg', 'default');
      expect(gw.status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
        'Accepted=True/Accepted',
        'Programmed=False/AddressNotAssigned',
      ]);
      const route = await get('httproutes', 'mine', 'default');
      expect(route.status?.parents?.map((p) => [p.controllerName, p.parentRef.name])).toEqual([[CONTROLLER, 'eg']]);
      const policy = (await custom.getNamespacedCustomObject({
        group: 'gateway.envoyproxy.io',
        version: 'v1alpha1',
        namespace: 'default',
        plural: 'securitypolicies',
        name: 'jwt',
      })) as { status?: { ancestors?: { conditions: { type: string; status: string }[] }[] } };
      expect(policy.status?.ancestors?.[0]?.conditions).toMatchObject([{ type: 'Accepted', status: 'True' }]);
    });
    // Objects of other controllers get no status from us.
    expect((await get('gatewayclasses', 'other')).status).toBeUndefined();
    expect((await get('httproutes', 'theirs', 'default')).status).toBeUndefined();
  });

  it("takes Gateway addresses from the Envoy Service and keeps other controllers' route parents", async () => {
    await core.createNamespacedService({
      namespace: 'envoy-gateway-system',
      body: {
        metadata: {
          name: 'envoy-default-eg-1234',
          labels: {
            'gateway.envoyproxy.io/owning-gateway-name': 'eg',
            'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
          },
        },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      },
    });
    await core.patchNamespacedServiceStatus(
      {
        namespace: 'envoy-gateway-system',
        name: 'envoy-default-eg-1234',
        body: { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await settle(async () => {
      const gw = await get('gateways', 'eg', 'default');
      expect(gw.status?.addresses).toEqual([{ type: 'IPAddress', value: '203.0.113.7' }]);
      expect(gw.status?.conditions?.find((c) => c.type === 'Programmed')).toMatchObject({
        status: 'True',
        reason: 'Programmed',
      });
    });

    // Another controller also serves this route through its own Gateway.
    const route = await get('httproutes', 'mine', 'default');
    const foreign = {
      controllerName: 'example.com/other',
      parentRef: { name: 'foreign' },
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: 1,
        },
      ],
    };
    await custom.replaceNamespacedCustomObjectStatus({
      ...GW,
      namespace: 'default',
      plural: 'httproutes',
      name: 'mine',
      body: { ...route, status: { parents: [...(route.status?.parents ?? []), foreign] } },
    });
    // A new spec generation: our entry is rewritten, theirs stays.
    await custom.patchNamespacedCustomObject(
      {
        ...GW,
        namespace: 'default',
        plural: 'httproutes',
        name: 'mine',
        body: { spec: { hostnames: ['www.example.com'] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await settle(async () => {
      const r = await get('httproutes', 'mine', 'default');
      expect(r.metadata.generation).toBe(2);
      expect(r.status?.parents?.map((p) => p.controllerName).sort()).toEqual(['example.com/other', CONTROLLER]);
      expect(r.status?.parents?.find((p) => p.controllerName === CONTROLLER)?.conditions[0]?.observedGeneration).toBe(
        2,
      );
    });

    // Detached from our Gateway: our parent entry is dropped, theirs kept.
    await custom.patchNamespacedCustomObject(
      {
        ...GW,
        namespace: 'default',
        plural: 'httproutes',
        name: 'mine',
        body: { spec: { parentRefs: [{ name: 'foreign' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await settle(async () => {
      const r = await get('httproutes', 'mine', 'default');
      expect(r.status?.parents?.map((p) => p.controllerName)).toEqual(['example.com/other']);
    });
  });

  it('coalesces a burst: 100 new routes cost about one status write each', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `burst-${i}`);
    await Promise.all(names.map((n) => create('httproutes', httpRoute(n, 'eg'), 'default')));
    await eventually(
      async () => {
        for (const n of names) expect((await get('httproutes', n, 'default')).status?.parents).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );
    const writes = names.map(
      (n) => api.requests.get(`PUT /apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/${n}/status`) ?? 0,
    );
    expect(writes.every((w) => w >= 1)).toBe(true);
    // A write that lost an optimistic-concurrency race is retried; beyond that nothing is written twice.
    expect(writes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(110);
  });

  it('recovers from dropped watches and 410 Gone, and hands status writing to a standby', async () => {
    api.compact();
    api.closeWatches();
    await create('httproutes', httpRoute('after-410', 'eg'), 'default');
    await settle(async () => expect(await resources.keys()).toContain('HTTPRoute/default/after-410'));

    const leases = kc.makeApiClient(CoordinationV1Api);
    const holder = async (): Promise<string | undefined> =>
      (await leases.readNamespacedLease({ namespace: 'envoy-gateway-system', name: 'envoy-gateway-provider-status' }))
        .spec?.holderIdentity;
    const leader = await holder();
    expect(['provider-a', 'provider-b']).toContain(leader);
    const [gone, standby] = leader === 'provider-a' ? [providers[0]!, providers[1]!] : [providers[1]!, providers[0]!];
    await gone.stop();
    await create('httproutes', httpRoute('after-failover', 'eg'), 'default');
    await settle(async () => {
      expect(await holder()).toBe(leader === 'provider-a' ? 'provider-b' : 'provider-a');
      const r = await get('httproutes', 'after-failover', 'default');
      expect(r.status?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
    });
    expect(standby.child.exitCode).toBeNull();
  });
});
