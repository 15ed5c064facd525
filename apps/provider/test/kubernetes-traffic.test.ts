import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoResponse, type EchoServer } from '@eg/echo-backend';
import {
  eventually,
  freePort,
  httpRequest,
  startKubeApiServer,
  startNatsServer,
  startServiceProcess,
  waitUntilReady,
  type KubeApiServer,
  type NatsServerFixture,
  type ServiceProcess,
} from '@eg/testing';

// Resources in the (emulated) cluster -> Kubernetes-mode provider -> translator -> xds-server -> a real
// Envoy (started by the host-mode infra-manager) -> the echo backend the EndpointSlice names. Envoy and the
// xds-server talk mTLS with the certificates `egctl x certgen --kubernetes` wrote as Secrets, as in a cluster.

const GW = { group: 'gateway.networking.k8s.io', version: 'v1' };

// The machine is shared with other work: wait generously, assert nothing about time.
const settle = <T>(check: () => Promise<T>) => eventually(check, { timeoutMs: 30_000 });

describe('Kubernetes-mode provider end to end with a real Envoy', { timeout: 120_000 }, () => {
  let api: KubeApiServer;
  let nats: NatsServerFixture;
  let echo: EchoServer;
  let dir: string;
  let gatewayPort: number;
  let custom: CustomObjectsApi;
  const processes: ServiceProcess[] = [];

  /** certgen's Secrets in the controller namespace, as the files a pod would see where they are mounted. */
  const certgenSecrets = async (core: CoreV1Api): Promise<string> => {
    const egctl = resolve(import.meta.dirname, '../../egctl/src/main.ts');
    const args = ['x', 'certgen', '--kubernetes', '--kubeconfig', join(dir, 'kubeconfig')];
    const code = await new Promise<number | null>((done) =>
      spawn(process.execPath, [egctl, ...args], { stdio: 'inherit' }).on('close', done),
    );
    expect(code).toBe(0);
    const certs = join(dir, 'certs');
    for (const name of ['envoy-gateway', 'envoy']) {
      const secret = await core.readNamespacedSecret({ namespace: 'envoy-gateway-system', name });
      await mkdir(join(certs, name), { recursive: true });
      for (const [file, data] of Object.entries(secret.data ?? {})) {
        await writeFile(join(certs, name, file), Buffer.from(data, 'base64'));
      }
    }
    return certs;
  };

  const start = async (app: string, args: string[]): Promise<ServiceProcess> => {
    const port = await freePort();
    const p = startServiceProcess(resolve(import.meta.dirname, `../../${app}/src/main.ts`), [
      ...['--nats', nats.url, '--health-port', String(port)],
      ...args,
    ]);
    processes.push(p);
    await waitUntilReady(port);
    return p;
  };
  let xdsServer: ServiceProcess;

  beforeAll(async () => {
    api = await startKubeApiServer();
    nats = await startNatsServer();
    echo = await startEchoServer({ name: 'backend', namespace: 'default', service: 'backend' }, 0);
    dir = await mkdtemp(join(tmpdir(), 'eg-k8s-e2e-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeconfig);
    gatewayPort = await freePort();
    const xdsPort = await freePort();

    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: 'envoy-gateway-system' } } });
    await custom.createClusterCustomObject({
      ...GW,
      plural: 'gatewayclasses',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'eg' },
        spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' },
      },
    });
    await custom.createNamespacedCustomObject({
      ...GW,
      namespace: 'default',
      plural: 'gateways',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'eg', namespace: 'default' },
        spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', protocol: 'HTTP', port: gatewayPort }] },
      },
    });
    await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'backend' }, spec: { ports: [{ name: 'http', port: 3000, targetPort: echo.port }] } },
    });
    await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: 'default',
      body: {
        metadata: { name: 'backend-abc', labels: { 'kubernetes.io/service-name': 'backend' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: echo.port, protocol: 'TCP' }],
      },
    });
    await custom.createNamespacedCustomObject({
      ...GW,
      namespace: 'default',
      plural: 'httproutes',
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'backend', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'eg' }],
          hostnames: ['www.example.com'],
          rules: [{ backendRefs: [{ name: 'backend', port: 3000 }] }],
        },
      },
    });

    const certs = await certgenSecrets(core);
    // Envoy runs on this machine, so the translator binds listener ports as written.
    await start('translator', ['--running-on-host']);
    xdsServer = await start('xds-server', ['--port', String(xdsPort), '--tls-dir', join(certs, 'envoy-gateway')]);
    await start('infra-manager', [
      ...['--xds-host', '127.0.0.1', '--xds-port', String(xdsPort)],
      ...['--xds-tls-dir', join(certs, 'envoy')],
    ]);
    await start('provider', ['--kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--lease-duration-s', '6']);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await echo?.close();
    await nats?.stop();
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('routes traffic to the EndpointSlice of the Service and reports the route Accepted', async () => {
    expect(xdsServer.logs.find((r) => r.msg === 'ADS listening')?.['mtls']).toBe(true);
    const answer = await eventually(
      async () => {
        const res = await httpRequest(`http://127.0.0.1:${gatewayPort}/get`, { host: 'www.example.com' });
        expect(res.status).toBe(200);
        return res;
      },
      { timeoutMs: 30_000 },
    );
    const body = JSON.parse(answer.value.body) as EchoResponse;
    expect(body.path).toBe('/get');
    expect(body.host).toBe('www.example.com');

    await settle(async () => {
      const route = (await custom.getNamespacedCustomObject({
        ...GW,
        namespace: 'default',
        plural: 'httproutes',
        name: 'backend',
      })) as {
        status?: { parents?: { conditions: { type: string; status: string }[] }[] };
      };
      expect(route.status?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
    });

    // A change in the cluster reaches Envoy: another hostname.
    await custom.patchNamespacedCustomObject({
      ...GW,
      namespace: 'default',
      plural: 'httproutes',
      name: 'backend',
      body: [{ op: 'replace', path: '/spec/hostnames', value: ['api.example.com'] }],
    });
    await settle(async () => {
      expect((await httpRequest(`http://127.0.0.1:${gatewayPort}/get`, { host: 'api.example.com' })).status).toBe(200);
      expect((await httpRequest(`http://127.0.0.1:${gatewayPort}/get`, { host: 'www.example.com' })).status).toBe(404);
    });
  });
});
