import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { loadResources, translate } from '@eg/gatewayapi';
import type { InfraIR } from '@eg/ir';
import {
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

// `--deploy-type GatewayNamespace`: each Gateway's fleet in the Gateway's own namespace, named after it,
// with a copy of the controller's client certificate; a controller namespace other than the default.

const CONTROLLER = 'eg-system';
const RESOURCES = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web, namespace: team-a }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: api, namespace: team-b }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;
const trace = { traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' };
const settle = <T>(check: () => Promise<T>) => eventually(check, { timeoutMs: 30_000 });

describe('infra-manager (Kubernetes mode, GatewayNamespace)', { timeout: 120_000 }, () => {
  let api: KubeApiServer;
  let nats: NatsServerFixture;
  let bus: Bus;
  let map: WatchableMap<InfraIR>;
  let manager: ServiceProcess;
  let dir: string;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const clientCert = { 'ca.crt': 'Y2E=', 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' };

  const gone = (read: Promise<unknown>): Promise<boolean> =>
    read.then(
      () => false,
      (err: unknown) => err instanceof ApiException && err.code === 404,
    );
  const fleetLabels = (ns: string, name: string) => ({
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
    'gateway.envoyproxy.io/owning-gateway-name': name,
    'gateway.envoyproxy.io/owning-gateway-namespace': ns,
  });

  beforeAll(async () => {
    api = await startKubeApiServer();
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'eg-k8s-gwns-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    for (const name of [CONTROLLER, 'team-a', 'team-b', 'team-c']) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
    await core.createNamespacedSecret({
      namespace: CONTROLLER,
      body: { metadata: { name: 'envoy' }, type: 'kubernetes.io/tls', data: clientCert },
    });
    // A fleet left behind by a Gateway that no longer exists: the leader's resync finds it in any namespace.
    await apps.createNamespacedDeployment({
      namespace: 'team-c',
      body: {
        metadata: { name: 'old', labels: fleetLabels('team-c', 'old') },
        spec: {
          selector: { matchLabels: fleetLabels('team-c', 'old') },
          template: { metadata: { labels: fleetLabels('team-c', 'old') }, spec: { containers: [] } },
        },
      },
    });

    const infra = translate(loadResources(RESOURCES, 'gateways.yaml').resources, { runningOnHost: false }).infra;
    bus = await connectBus({ servers: nats.url, name: 'k8s-gwns-test' });
    map = await bus.map<InfraIR>('infra-ir');
    for (const [key, value] of infra) await map.put(key, value, trace);
    await map.commit();

    const port = await freePort();
    manager = startServiceProcess(resolve(import.meta.dirname, '../src/main.ts'), [
      ...['--nats', nats.url, '--health-port', String(port), '--kubernetes', '--kubeconfig', join(dir, 'kubeconfig')],
      ...['--holder', 'infra-a', '--lease-ttl-s', '9', '--envoy-image', 'envoyproxy/envoy:test'],
      ...['--controller-namespace', CONTROLLER, '--deploy-type', 'GatewayNamespace', '--xds-client-secret', 'envoy'],
    ]);
    await waitUntilReady(port);
  }, 60_000);

  afterAll(async () => {
    await manager?.stop();
    await bus?.close();
    await nats?.stop();
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("puts each fleet in its Gateway's namespace under the Gateway's name, nothing in the controller's", async () => {
    await settle(async () => {
      expect((await core.readNamespacedService({ namespace: 'team-a', name: 'web' })).spec?.ports?.[0]?.port).toBe(80);
      expect((await core.readNamespacedService({ namespace: 'team-b', name: 'api' })).spec?.ports?.[0]?.port).toBe(
        8080,
      );
    });
    const web = await apps.readNamespacedDeployment({ namespace: 'team-a', name: 'web' });
    expect(web.metadata?.labels).toEqual(fleetLabels('team-a', 'web'));
    // Envoy still names its snapshot by the IR key, and reaches the xds-server in the controller namespace.
    expect(web.spec?.template.spec?.containers[0]?.args).toEqual(
      expect.arrayContaining(['--service-cluster', 'team-a/web']),
    );
    const bootstrap = JSON.parse(
      (await core.readNamespacedConfigMap({ namespace: 'team-a', name: 'web' })).data!['bootstrap.json']!,
    );
    expect(JSON.stringify(bootstrap.static_resources.clusters)).toContain('envoy-gateway.eg-system.svc.cluster.local');
    expect((await core.readNamespacedServiceAccount({ namespace: 'team-a', name: 'web' })).metadata?.name).toBe('web');
    expect((await apps.listNamespacedDeployment({ namespace: CONTROLLER })).items).toEqual([]);
    expect(await gone(apps.readNamespacedDeployment({ namespace: 'team-c', name: 'old' }))).toBe(true);
  });

  it("mounts a copy of the controller's client certificate in the fleet's namespace", async () => {
    const copy = await core.readNamespacedSecret({ namespace: 'team-a', name: 'web-xds-client' });
    expect(copy.data).toEqual(clientCert);
    expect(copy.metadata?.labels).toEqual(fleetLabels('team-a', 'web'));
    const pod = (await apps.readNamespacedDeployment({ namespace: 'team-a', name: 'web' })).spec!.template.spec!;
    expect(pod.volumes?.find((v) => v.name === 'certs')?.secret?.secretName).toBe('web-xds-client');
  });

  it("deletes the fleet and the certificate copy from the Gateway's namespace when the Gateway goes", async () => {
    await map.delete('team-a/web');
    await map.commit();
    await settle(async () => {
      expect(await gone(apps.readNamespacedDeployment({ namespace: 'team-a', name: 'web' }))).toBe(true);
      expect(await gone(core.readNamespacedService({ namespace: 'team-a', name: 'web' }))).toBe(true);
      expect(await gone(core.readNamespacedConfigMap({ namespace: 'team-a', name: 'web' }))).toBe(true);
      expect(await gone(core.readNamespacedServiceAccount({ namespace: 'team-a', name: 'web' }))).toBe(true);
      expect(await gone(core.readNamespacedSecret({ namespace: 'team-a', name: 'web-xds-client' }))).toBe(true);
    });
    expect(await gone(apps.readNamespacedDeployment({ namespace: 'team-b', name: 'api' }))).toBe(false);
    // The controller's own Secret stays.
    expect(await gone(core.readNamespacedSecret({ namespace: CONTROLLER, name: 'envoy' }))).toBe(false);
  });
});
