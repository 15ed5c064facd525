import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { loadResources, translate } from '@eg/gatewayapi';
import type { InfraIR } from '@eg/ir';
import { findEnvoyBinary } from '@eg/envoy-binary';
import {
  createTestCA,
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

// The infra-manager in Kubernetes mode against the API-server emulator: infra IR (translated from the
// scenario 6 TKE resources) in, server-side-applied fleets out.

const NS = 'envoy-gateway-system';
const TKE = resolve(import.meta.dirname, '../../../libs/gatewayapi/test/testdata/envoyproxy-tke.in.yaml');
const trace = { traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' };

// The machine is shared with other work: wait generously, assert nothing about time.
const settle = <T>(check: () => Promise<T>) => eventually(check, { timeoutMs: 30_000 });

describe('infra-manager (Kubernetes mode)', { timeout: 120_000 }, () => {
  let api: KubeApiServer;
  let nats: NatsServerFixture;
  let bus: Bus;
  let map: WatchableMap<InfraIR>;
  let manager: ServiceProcess;
  let standby: ServiceProcess;
  let dir: string;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let infra: ReadonlyMap<string, InfraIR>;

  const deployment = (name: string): Promise<V1Deployment> => apps.readNamespacedDeployment({ namespace: NS, name });
  const service = (name: string): Promise<V1Service> => core.readNamespacedService({ namespace: NS, name });
  const gone = async (read: Promise<unknown>): Promise<boolean> =>
    read.then(
      () => false,
      (err: unknown) => err instanceof ApiException && err.code === 404,
    );

  beforeAll(async () => {
    api = await startKubeApiServer();
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'eg-k8s-infra-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });

    infra = translate(loadResources(readFileSync(TKE, 'utf8'), 'tke.yaml').resources, { runningOnHost: false }).infra;
    bus = await connectBus({ servers: nats.url, name: 'k8s-infra-test' });
    map = await bus.map<InfraIR>('infra-ir');
    for (const [key, value] of infra) await map.put(key, value, trace);
    await map.commit();

    const port = await freePort();
    manager = startServiceProcess(resolve(import.meta.dirname, '../src/main.ts'), [
      ...['--nats', nats.url, '--health-port', String(port), '--kubernetes', '--kubeconfig', join(dir, 'kubeconfig')],
      ...['--holder', 'infra-a', '--lease-ttl-s', '9', '--envoy-image', 'envoyproxy/envoy:test'],
      ...['--controller-namespace', NS, '--xds-client-secret', 'envoy'],
    ]);
    await waitUntilReady(port);
    const standbyPort = await freePort();
    standby = startServiceProcess(resolve(import.meta.dirname, '../src/main.ts'), [
      ...[
        '--nats',
        nats.url,
        '--health-port',
        String(standbyPort),
        '--kubernetes',
        '--kubeconfig',
        join(dir, 'kubeconfig'),
      ],
      ...['--holder', 'infra-b', '--lease-ttl-s', '9', '--envoy-image', 'envoyproxy/envoy:test'],
      ...['--controller-namespace', NS, '--xds-client-secret', 'envoy'],
    ]);
    await waitUntilReady(standbyPort);
  }, 60_000);

  afterAll(async () => {
    await manager?.stop();
    await standby?.stop();
    await bus?.close();
    await nats?.stop();
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders scenario 6 (TKE) exactly: named, labelled and customised like Envoy Gateway', async () => {
    const name = 'envoy-default-eg-e41e7b31';
    // The fleets are applied one after another: wait for the last one.
    await settle(async () => {
      for (const n of [name, 'envoy-default-merged-4b83723f', 'envoy-default-replaced-a5336a50']) {
        expect((await service(n)).metadata?.name).toBe(n);
      }
    });
    const labels = {
      'app.kubernetes.io/name': 'envoy',
      'app.kubernetes.io/component': 'proxy',
      'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'eg',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
    };
    const d = await deployment(name);
    expect(d.metadata?.labels).toEqual(labels);
    expect(d.spec?.replicas).toBe(1);
    const pod = d.spec!.template;
    expect(pod.metadata?.annotations?.['tke.cloud.tencent.com/networks']).toBe('tke-route-eni');
    const envoy = pod.spec!.containers[0]!;
    expect(envoy.resources).toEqual({
      requests: { 'tke.cloud.tencent.com/eni-ip': '1' },
      limits: { 'tke.cloud.tencent.com/eni-ip': '1' },
    });
    expect(envoy.args).toEqual(expect.arrayContaining(['--service-cluster', 'default/eg']));
    expect(envoy.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['http-80', 10080],
      ['metrics', 19001],
    ]);

    const s = await service(name);
    expect(s.metadata?.annotations).toEqual({
      'service.kubernetes.io/tke-existed-lbid': 'lb-5nhlk3nr',
      'service.cloud.tencent.com/direct-access': 'true',
    });
    expect(s.spec?.type).toBe('LoadBalancer');
    expect(s.spec?.externalTrafficPolicy).toBe('Local');
    expect(s.spec?.selector).toEqual(labels);
    expect(s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([['http-80', 80, 10080]]);

    const bootstrap = JSON.parse(
      (await core.readNamespacedConfigMap({ namespace: NS, name })).data!['bootstrap.json']!,
    );
    expect(bootstrap.node.cluster).toBe('default/eg');
    expect((await core.readNamespacedServiceAccount({ namespace: NS, name })).metadata?.labels).toEqual(labels);
    // mTLS to the xds-server as Envoy Gateway sets it up: Secret `envoy` at /certs, SDS files at /sds.
    expect(pod.spec!.volumes).toEqual([
      { name: 'bootstrap', configMap: { name, items: [{ key: 'bootstrap.json', path: 'bootstrap.json' }] } },
      { name: 'certs', secret: { secretName: 'envoy' } },
      {
        name: 'sds',
        configMap: {
          name,
          items: [
            { key: 'xds-certificate.json', path: 'xds-certificate.json' },
            { key: 'xds-trusted-ca.json', path: 'xds-trusted-ca.json' },
          ],
        },
      },
    ]);
    expect(envoy.volumeMounts).toEqual([
      { name: 'bootstrap', mountPath: '/etc/envoy', readOnly: true },
      { name: 'certs', mountPath: '/certs', readOnly: true },
      { name: 'sds', mountPath: '/sds', readOnly: true },
    ]);
    const data = (await core.readNamespacedConfigMap({ namespace: NS, name })).data!;
    const tls = bootstrap.static_resources.clusters.find((c: { name: string }) => c.name === 'xds_cluster')
      .transport_socket.typed_config;
    expect(tls.sni).toBe('envoy-gateway');
    const context = tls.common_tls_context;
    expect(context.tls_certificate_sds_secret_configs[0].sds_config.path_config_source.path).toBe(
      '/sds/xds-certificate.json',
    );
    expect(context.combined_validation_context.validation_context_sds_secret_config.sds_config).toEqual({
      path_config_source: { path: '/sds/xds-trusted-ca.json' },
      resource_api_version: 'V3',
    });
    expect(context.combined_validation_context.default_validation_context.match_typed_subject_alt_names).toEqual([
      { san_type: 'DNS', matcher: { exact: 'envoy-gateway' } },
    ]);
    const certificate = JSON.parse(data['xds-certificate.json']!).resources[0].tls_certificate;
    expect(certificate).toEqual({
      certificate_chain: { filename: '/certs/tls.crt' },
      private_key: { filename: '/certs/tls.key' },
    });
    expect(JSON.parse(data['xds-trusted-ca.json']!).resources[0].validation_context.trusted_ca).toEqual({
      filename: '/certs/ca.crt',
    });
    // The Gateway whose EnvoyProxy asks for ClusterIP (merged with the class's annotations).
    const merged = await service('envoy-default-merged-4b83723f');
    expect(merged.spec?.type).toBe('ClusterIP');
    expect(merged.metadata?.annotations?.['team']).toBe('a');
    // The Gateway's spec.addresses become the Service's external IPs.
    expect((await service('envoy-default-replaced-a5336a50')).spec?.externalIPs).toEqual(['192.0.2.10']);
  });

  it('gives Envoy a bootstrap and SDS files it accepts, at the paths the pod mounts them', async () => {
    const name = 'envoy-default-eg-e41e7b31';
    const data = (await core.readNamespacedConfigMap({ namespace: NS, name })).data!;
    // The pod's filesystem, rooted in a temporary folder: the ConfigMap's SDS files at /sds, Secret `envoy` at /certs.
    const root = join(dir, 'pod');
    const inPod = (text: string) =>
      text.replaceAll('"/sds/', `"${root}/sds/`).replaceAll('"/certs/', `"${root}/certs/`);
    await mkdir(join(root, 'sds'), { recursive: true });
    await mkdir(join(root, 'certs'), { recursive: true });
    for (const file of ['xds-certificate.json', 'xds-trusted-ca.json']) {
      await writeFile(join(root, 'sds', file), inPod(data[file]!));
    }
    const ca = await createTestCA();
    const client = await ca.issue(['envoy']);
    await writeFile(join(root, 'certs', 'ca.crt'), ca.cert);
    await writeFile(join(root, 'certs', 'tls.crt'), client.cert);
    await writeFile(join(root, 'certs', 'tls.key'), client.key);
    await writeFile(join(root, 'bootstrap.json'), inPod(data['bootstrap.json']!));
    const validate = spawnSync(findEnvoyBinary(), ['--mode', 'validate', '-c', join(root, 'bootstrap.json')], {
      encoding: 'utf8',
    });
    expect(validate.stderr + validate.stdout).toContain('configuration');
    expect(validate.status, validate.stderr).toBe(0);
  });

  it("leaves a cloud controller's Service annotations and an HPA's replicas alone on the next apply", async () => {
    const name = 'envoy-default-eg-e41e7b31';
    await core.patchNamespacedService(
      {
        namespace: NS,
        name,
        fieldManager: 'tke-service-controller',
        body: { metadata: { annotations: { 'service.cloud.tencent.com/sync-begin-time': '2026-11-23T00:00:00Z' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const scaled = 'envoy-default-replaced-a5336a50';
    await settle(async () => expect((await deployment(scaled)).spec?.replicas).toBe(1));
    const hpa = await apiFor(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ namespace: NS, name: scaled });
    expect(hpa.spec?.maxReplicas).toBe(5);
    await apps.patchNamespacedDeployment(
      { namespace: NS, name: scaled, fieldManager: 'horizontal-pod-autoscaler', body: { spec: { replicas: 4 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    // A new listener port: both fleets are applied again.
    const withPort = (ir: InfraIR): InfraIR => ({
      proxy: {
        ...ir.proxy,
        listeners: [
          ...ir.proxy.listeners,
          {
            name: `${ir.proxy.name}/https`,
            ports: [{ name: 'https-443', protocol: 'HTTPS', servicePort: 443, containerPort: 10443 }],
          },
        ],
      },
    });
    await map.put('default/eg', withPort(infra.get('default/eg')!), trace);
    await map.put('default/replaced', withPort(infra.get('default/replaced')!), trace);
    await map.commit();
    await settle(async () => {
      const s = await service(name);
      expect(s.spec?.ports?.map((p) => p.port)).toEqual([80, 443]);
      expect(s.metadata?.annotations?.['service.cloud.tencent.com/sync-begin-time']).toBe('2026-11-23T00:00:00Z');
      expect(s.metadata?.annotations?.['service.kubernetes.io/tke-existed-lbid']).toBe('lb-5nhlk3nr');
      const d = await deployment(scaled);
      expect(d.spec?.template.spec?.containers[0]?.ports?.map((p) => p.containerPort)).toEqual([10080, 10443, 19001]);
      expect(d.spec?.replicas).toBe(4);
    });
  });

  it("puts the Gateway's spec.infrastructure labels and annotations on every fleet object and pod", async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: labelled, namespace: default }
spec:
  gatewayClassName: eg
  infrastructure:
    labels: { team: payments, app.kubernetes.io/name: not-envoy }
    annotations: { cost-center: "42" }
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
`;
    const labelled = translate(loadResources(yaml, 'labelled.yaml').resources, { runningOnHost: false }).infra;
    await map.put('default/labelled', labelled.get('default/labelled')!, trace);
    await map.commit();
    const selector = 'gateway.envoyproxy.io/owning-gateway-name=labelled';
    const { items } = await settle(async () => {
      const list = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: selector });
      expect(list.items).toHaveLength(1);
      return list;
    }).then((r) => r.value);
    const d = items[0]!;
    const name = d.metadata!.name!;
    for (const metadata of [
      d.metadata,
      d.spec?.template.metadata,
      (await service(name)).metadata,
      (await core.readNamespacedServiceAccount({ namespace: NS, name })).metadata,
      (await core.readNamespacedConfigMap({ namespace: NS, name })).metadata,
    ]) {
      expect(metadata?.labels).toMatchObject({ team: 'payments', 'app.kubernetes.io/name': 'envoy' });
      expect(metadata?.annotations).toMatchObject({ 'cost-center': '42' });
    }
    // The selector is the fleet's own, so the extra labels never make the Deployment unpatchable.
    expect(d.spec?.selector.matchLabels).not.toHaveProperty('team');
  });

  it('switches a fleet to a DaemonSet when the EnvoyProxy asks for envoyDaemonSet', async () => {
    const name = 'envoy-default-merged-4b83723f';
    const merged = infra.get('default/merged')!;
    await map.put(
      'default/merged',
      { proxy: { ...merged.proxy, kubernetes: { ...merged.proxy.kubernetes, deployment: undefined, daemonSet: {} } } },
      trace,
    );
    await map.commit();
    await settle(async () => {
      const ds = await apps.readNamespacedDaemonSet({ namespace: NS, name });
      expect(ds.spec?.template.spec?.containers[0]?.name).toBe('envoy');
      expect(await gone(deployment(name))).toBe(true);
    });
  });

  it('deletes the whole fleet when its Gateway goes', async () => {
    const name = 'envoy-default-eg-e41e7b31';
    await map.delete('default/eg');
    await map.commit();
    await settle(async () => {
      expect(await gone(deployment(name))).toBe(true);
      expect(await gone(service(name))).toBe(true);
      expect(await gone(core.readNamespacedConfigMap({ namespace: NS, name }))).toBe(true);
      expect(await gone(core.readNamespacedServiceAccount({ namespace: NS, name }))).toBe(true);
    });
    expect(await gone(deployment('envoy-default-replaced-a5336a50'))).toBe(false);
  });

  it('hands fleet management to the standby when the leader stops', async () => {
    await manager.stop();
    const next = {
      proxy: {
        ...infra.get('default/eg')!.proxy,
        name: 'default/next',
        labels: {
          'gateway.envoyproxy.io/owning-gateway-name': 'next',
          'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
        },
      },
    };
    await map.put('default/next', next, trace);
    await map.commit();
    const name = 'envoy-default-next-' + createHash('sha256').update('default/next').digest('hex').slice(0, 8);
    await eventually(
      async () =>
        expect((await deployment(name)).metadata?.labels?.['gateway.envoyproxy.io/owning-gateway-name']).toBe('next'),
      { timeoutMs: 30_000 },
    );
    expect(standby.logs.some((r) => r.msg === 'infra-manager leading')).toBe(true);
  });

  function apiFor<T>(ctor: new (...args: never[]) => T): T {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    return kc.makeApiClient(ctor as never) as T;
  }
});
