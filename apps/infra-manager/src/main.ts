import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import { DEFAULT_NAMESPACE, type InfraIR } from '@eg/ir';
import { runService } from '@eg/service';
import { inSpan, recordSubscription } from '@eg/telemetry';
import { renderBootstrap, xdsSdsFiles, type XdsServerAddress, type XdsTlsFiles } from '@eg/xds';
import { findEnvoyBinary } from '@eg/envoy-binary';
import { HostInfra } from './host/host-infra.ts';
import { runKubernetesInfra } from './kubernetes/run-kubernetes.ts';
import { parseDeployType } from './kubernetes/placement.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    'xds-host': { type: 'string' },
    'xds-port': { type: 'string', default: '18000' },
    'envoy-binary': { type: 'string' },
    'envoy-log-level': { type: 'string', default: 'warn' },
    'drain-time-s': { type: 'string', default: '5' },
    /** Further xds-server replicas, `host:port,...`; Envoy moves to another when its replica dies. */
    'xds-servers': { type: 'string', default: '' },
    /** mTLS to the xds-server: Envoy's certificate folder (certgen's `envoy`: tls.crt, tls.key, ca.crt). */
    'xds-tls-dir': { type: 'string', default: process.env['XDS_CLIENT_TLS_DIR'] },
    /** Where to record the running proxies (for `egctl config envoy-proxy`). */
    'state-file': { type: 'string' },
    kubernetes: { type: 'boolean', default: false },
    kubeconfig: { type: 'string', default: process.env['KUBECONFIG'] },
    holder: { type: 'string', default: process.env['POD_NAME'] ?? `${hostname()}-${process.pid}` },
    'lease-ttl-s': { type: 'string', default: '15' },
    'envoy-image': { type: 'string', default: 'docker.io/envoyproxy/envoy:distroless-v1.36.2' },
    /** Kubernetes: the namespace the control plane runs in (Envoy Gateway's ENVOY_GATEWAY_NAMESPACE). */
    'controller-namespace': {
      type: 'string',
      default: process.env['ENVOY_GATEWAY_NAMESPACE'] ?? process.env['POD_NAMESPACE'] ?? DEFAULT_NAMESPACE,
    },
    /** Kubernetes: ControllerNamespace (every fleet beside the control plane) or GatewayNamespace. */
    'deploy-type': { type: 'string', default: process.env['DEPLOY_TYPE'] ?? 'ControllerNamespace' },
    /** Kubernetes: mTLS to the xds-server with Envoy's certificate from this Secret (certgen's `envoy`). */
    'xds-client-secret': { type: 'string' },
  },
});

/** The SDS files every Envoy's bootstrap points at; they name the certificate files, which Envoy watches. */
async function writeSdsFiles(certDir: string): Promise<XdsTlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-xds-sds-'));
  const sds = xdsSdsFiles({
    certificatePath: join(certDir, 'tls.crt'),
    privateKeyPath: join(certDir, 'tls.key'),
    caPath: join(certDir, 'ca.crt'),
  });
  const files = {
    sdsCertificatePath: join(dir, 'xds-certificate.json'),
    sdsTrustedCaPath: join(dir, 'xds-trusted-ca.json'),
  };
  await writeFile(files.sdsCertificatePath, JSON.stringify(sds.certificate));
  await writeFile(files.sdsTrustedCaPath, JSON.stringify(sds.trustedCa));
  return files;
}

function parseAddresses(list: string): XdsServerAddress[] {
  return list
    .split(',')
    .filter((a) => a.trim() !== '')
    .map((a) => {
      const at = a.lastIndexOf(':');
      const port = Number(a.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port)) throw new Error(`--xds-servers: ${JSON.stringify(a)} is not host:port`);
      return { host: a.slice(0, at).trim(), port };
    });
}

if (values.kubernetes) {
  const deployType = parseDeployType(values['deploy-type']);
  const controllerNamespace = values['controller-namespace'];
  await runService({
    name: 'infra-manager',
    healthPort: Number(values['health-port']),
    config: values,
    start: async (ctx) => {
      const bus = await connectBus({ servers: values.nats, name: 'infra-manager' });
      ctx.onShutdown(() => bus.close());
      await runKubernetesInfra(
        bus,
        {
          kubeconfig: values.kubeconfig,
          holder: values.holder,
          leaseTtlMs: Number(values['lease-ttl-s']) * 1000,
          image: values['envoy-image'],
          controllerNamespace,
          deployType,
          xdsHost: values['xds-host'] ?? `envoy-gateway.${controllerNamespace}.svc.cluster.local`,
          xdsPort: Number(values['xds-port']),
          xdsClientSecret: values['xds-client-secret'],
          logLevel: values['envoy-log-level'],
          drainTimeSeconds: Number(values['drain-time-s']),
        },
        ctx,
      );
    },
  });
} else {
  await runHostMode();
}

async function runHostMode(): Promise<void> {
  await runService({
    name: 'infra-manager',
    healthPort: Number(values['health-port']),
    config: values,
    start: async ({ log, health, signal, onShutdown }) => {
      const moreXdsServers = parseAddresses(values['xds-servers']);
      const xdsTls = values['xds-tls-dir'] ? await writeSdsFiles(values['xds-tls-dir']) : undefined;
      log.info('Envoy bootstrap', { mtls: xdsTls !== undefined, xdsServers: 1 + moreXdsServers.length });
      const infra = new HostInfra({
        binary: findEnvoyBinary(values['envoy-binary']),
        bootstrapFor: (irKey, nodeId) =>
          renderBootstrap({
            nodeCluster: irKey,
            nodeId,
            xdsHost: values['xds-host'] ?? '127.0.0.1',
            xdsPort: Number(values['xds-port']),
            moreXdsServers,
            ...(xdsTls && { xdsTls }),
            adminAddress: '127.0.0.1',
            // Host mode: several fleets share one machine, so admin and readiness ports are random.
            adminPort: 0,
            readinessPort: 0,
          }),
        logLevel: values['envoy-log-level'],
        drainTimeSeconds: Number(values['drain-time-s']),
        log,
      });
      onShutdown(() => infra.close());
      const bus = await connectBus({ servers: values.nats, name: 'infra-manager' });
      onShutdown(() => bus.close());
      const map = await bus.map<InfraIR>('infra-ir');

      for await (const snapshot of map.subscribe({ atCommit: true, signal })) {
        const changes = snapshot.initial
          ? [...snapshot.state.keys()].map((key) => ({ key, deleted: false }))
          : snapshot.updates.map((u) => ({ key: u.key, deleted: u.type === 'delete' }));
        const started = performance.now();
        let failed = false;
        for (const { key, deleted } of changes) {
          const entry = snapshot.state.get(key);
          try {
            await inSpan(
              'infra.apply',
              entry?.trace,
              { attributes: { 'infra.key': key, 'infra.deleted': deleted } },
              () => (deleted || !entry ? infra.delete(key) : infra.createOrUpdate(key, entry.value)),
            );
          } catch (err) {
            failed = true;
            log.error('infra update failed', { key, err });
          }
        }
        if (values['state-file']) await infra.writeState(values['state-file']);
        recordSubscription('infrastructure', started, failed);
        if (snapshot.initial) health.markReady();
      }
    },
  });
}
