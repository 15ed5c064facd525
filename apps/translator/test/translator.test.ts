import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { loadResources, type Resource } from '@eg/gatewayapi';
import {
  envoyRejectionKey,
  resourceKey,
  type Condition,
  type EnvoyRejection,
  type InfraIR,
  type ResourceStatus,
  type XdsIR,
} from '@eg/ir';
import {
  eventually,
  freePort,
  startNatsServer,
  startServiceProcess,
  waitUntilReady,
  type NatsServerFixture,
  type ServiceProcess,
} from '@eg/testing';

// The translator as its own process: committed resources in the bus -> xds IR, infra IR and statuses out;
// two replicas, one writing, the other taking over when the first stops.

const main = resolve(import.meta.dirname, '../src/main.ts');
const quickstart = resolve(import.meta.dirname, '../../../examples/quickstart/quickstart.yaml');

interface RouteStatus {
  parents: { conditions: { type: string; status: string; reason: string }[] }[];
}

describe('translator', () => {
  let nats: NatsServerFixture;
  let bus: Bus;
  let resources: WatchableMap<Resource>;
  let xds: WatchableMap<XdsIR>;
  let infra: WatchableMap<InfraIR>;
  let status: WatchableMap<ResourceStatus>;
  const replicas: ServiceProcess[] = [];

  const startReplica = async (holder: string): Promise<ServiceProcess> => {
    const healthPort = await freePort();
    const replica = startServiceProcess(main, [
      '--nats',
      nats.url,
      '--health-port',
      String(healthPort),
      '--holder',
      holder,
      '--running-on-host', // as the standalone launcher runs it: loopback Backends allowed
    ]);
    replicas.push(replica);
    await waitUntilReady(healthPort);
    return replica;
  };

  const routeConditions = async (name: string) => {
    const entry = await status.get(resourceKey('HTTPRoute', 'default', name));
    return (entry?.value.status as RouteStatus | undefined)?.parents[0]?.conditions ?? [];
  };

  /** Publishes resources the way the provider does: parsed and defaulted by the loader, then committed. */
  const publish = async (yaml: string): Promise<void> => {
    const { resources: loaded, errors } = loadResources(yaml, 'test.yaml');
    expect(errors).toEqual([]);
    for (const r of loaded) {
      const ns = 'namespace' in r.metadata ? r.metadata.namespace : undefined;
      await resources.put(resourceKey(r.kind, ns, r.metadata.name), r);
    }
    await resources.commit();
  };

  const route = (name: string, backend: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs:
    - name: eg
  hostnames:
    - ${name}.example.com
  rules:
    - backendRefs:
        - group: gateway.envoyproxy.io
          kind: Backend
          name: ${backend}
`;

  beforeAll(async () => {
    nats = await startNatsServer();
    bus = await connectBus({ servers: nats.url, name: 'translator-test' });
    resources = await bus.map<Resource>('resources');
    xds = await bus.map<XdsIR>('xds-ir');
    infra = await bus.map<InfraIR>('infra-ir');
    status = await bus.map<ResourceStatus>('status');
    await publish(await readFile(quickstart, 'utf8'));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await bus?.close();
    await nats?.stop();
  });

  it('publishes the Gateway IR, its infra and Accepted statuses before reporting ready', async () => {
    await startReplica('replica-a');
    const ir = await xds.get('default/eg');
    expect(ir?.value.http?.map((l) => l.port)).toEqual([8888]);
    expect((await infra.get('default/eg'))?.value.proxy.listeners[0]?.ports[0]?.containerPort).toBeDefined();
    const accepted = (await routeConditions('backend')).find((c) => c.type === 'Accepted');
    expect(accepted?.status).toBe('True');
  });

  it('marks a route to a missing Backend BackendNotFound and keeps the valid route', async () => {
    await publish(route('broken', 'no-such-backend'));
    await eventually(async () => {
      const resolved = (await routeConditions('broken')).find((c) => c.type === 'ResolvedRefs');
      expect(resolved).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    });
    const routes = (await xds.get('default/eg'))?.value.http?.[0]?.routes ?? [];
    expect(routes.find((r) => r.hostname === 'www.example.com')?.action.type).toBe('Forward');
  });

  it('keeps its previous outputs and keeps running when a translation throws', async () => {
    const before = (await xds.get('default/eg'))?.revision;
    // Not defaulted by the loader (no rules[].filters): the translation library assumes loader output.
    const raw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'raw', namespace: 'default' },
      spec: { parentRefs: [{ name: 'eg' }], rules: [{}] },
    };
    await resources.put(resourceKey('HTTPRoute', 'default', 'raw'), raw as unknown as Resource);
    await resources.commit();
    await replicas[0]!.waitForLog((r) => r.msg === 'translation failed; previous outputs kept');
    expect((await xds.get('default/eg'))?.revision).toBe(before);
    await resources.delete(resourceKey('HTTPRoute', 'default', 'raw'));
    await publish(route('recovered', 'backend'));
    await eventually(async () => expect(await routeConditions('recovered')).not.toEqual([]));
    expect(replicas[0]!.child.exitCode).toBeNull();
  });

  it('puts EnvoyAccepted=False on the Gateway while an xds-server reports its Envoy refused config', async () => {
    const refusals = await bus.map<EnvoyRejection>('xds-status');
    const key = envoyRejectionKey('default/eg', 'envoy-1');
    const gatewayConditions = async () =>
      ((await status.get(resourceKey('Gateway', 'default', 'eg')))?.value.status as { conditions: Condition[] })
        .conditions;
    await refusals.put(key, {
      irKey: 'default/eg',
      nodeId: 'envoy-1',
      replica: 'xds-0',
      rejected: { 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': 'invalid regex' },
    });
    await eventually(async () =>
      expect((await gatewayConditions()).find((c) => c.type === 'gateway.envoyproxy.io/EnvoyAccepted')).toMatchObject({
        status: 'False',
        reason: 'Rejected',
        message: 'Envoy envoy-1 rejected RouteConfiguration: invalid regex',
      }),
    );
    await refusals.delete(key);
    await eventually(async () =>
      expect((await gatewayConditions()).map((c) => c.type)).not.toContain('gateway.envoyproxy.io/EnvoyAccepted'),
    );
  });

  it('hands writing over to a standby replica when the leader stops', async () => {
    const standby = await startReplica('replica-b');
    await replicas[0]!.stop(); // releases the lease on SIGTERM
    await standby.waitForLog((r) => r.msg === 'became leader', 15_000);
    await publish(route('after-failover', 'backend'));
    await eventually(async () => {
      const resolved = (await routeConditions('after-failover')).find((c) => c.type === 'ResolvedRefs');
      expect(resolved?.status).toBe('True');
    });
  });
});
