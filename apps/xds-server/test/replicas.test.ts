import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { credentials as grpcCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { envoyRejectionKey, type EnvoyRejection, type HTTPRoute, type StringMatch, type XdsIR } from '@eg/ir';
import {
  DeltaAdsClient,
  eventually,
  freePort,
  httpRequest,
  listenOnFreePort,
  startEnvoy,
  startNatsServer,
  startServiceProcess,
  waitUntilReady,
  type EnvoyFixture,
  type NatsServerFixture,
  type ServiceProcess,
} from '@eg/testing';
import { renderBootstrap, translateXds, TYPE_URLS, xdsSdsFiles, XDS_SERVER_NAME } from '@eg/xds';
import type { ProxyStatus } from '../src/proxy-status.ts';

// One stack: nats-server, two xds-server processes over mTLS (certificates from `egctl x certgen`), one real
// Envoy dialing both replicas, and Delta ADS clients on @grpc/grpc-js that show exactly what a replica sends.

const main = resolve(import.meta.dirname, '../src/main.ts');
const egctl = resolve(import.meta.dirname, '../../egctl/src/main.ts');
const KEY = 'default/eg';
const LISTENER = 'default/eg/http';
const { cluster, endpoint, listener, route } = TYPE_URLS;
const egctlRun = async (...args: string[]): Promise<string> =>
  (await promisify(execFile)(process.execPath, [egctl, ...args])).stdout;

interface Replica {
  readonly name: string;
  readonly port: number;
  readonly adminPort: number;
  readonly healthPort: number;
  readonly process: ServiceProcess;
}

interface Backend {
  readonly port: number;
  readonly server: Server;
}

async function startBackend(name: string): Promise<Backend> {
  const server = createServer((req, res) => res.end(`${name} ${req.url}`));
  return { port: await listenOnFreePort(server), server };
}

function httpRoute(rule: number, pathMatch: StringMatch, backendPort: number): HTTPRoute {
  const destination = `httproute/default/r/rule/${rule}`;
  return {
    name: `${destination}/match/0/*`,
    hostname: '*',
    pathMatch,
    headerMatches: [],
    action: {
      type: 'Forward',
      destination: {
        name: destination,
        settings: [
          {
            name: `${destination}/backend/0`,
            weight: 1,
            addressType: 'IP',
            endpoints: [{ host: '127.0.0.1', port: backendPort }],
          },
        ],
      },
    },
    metadata: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
  };
}

describe('xds-server replicas over mTLS', () => {
  let nats: NatsServerFixture;
  let bus: Bus;
  let irs: WatchableMap<XdsIR>;
  let certs: string;
  let envoy: EnvoyFixture;
  let a: Backend;
  let b: Backend;
  let listenPort: number;
  const replicas: Replica[] = [];
  const clients: DeltaAdsClient[] = [];
  let clientIds = 0;

  const ir = (...routes: HTTPRoute[]): XdsIR => ({
    http: [
      {
        name: LISTENER,
        address: '0.0.0.0',
        port: listenPort,
        externalPort: listenPort,
        hostnames: ['*'],
        routes,
        metadata: { kind: 'Gateway', namespace: 'default', name: 'eg', sectionName: 'http' },
      },
    ],
  });
  const publish = async (xds: XdsIR): Promise<void> => {
    await irs.put(KEY, xds);
    await irs.commit();
  };
  const startReplica = async (name: string): Promise<Replica> => {
    const [port, adminPort, healthPort] = [await freePort(), await freePort(), await freePort()];
    const process = startServiceProcess(main, [
      ...['--nats', nats.url, '--health-port', String(healthPort), '--host', '127.0.0.1', '--port', String(port)],
      ...['--admin-port', String(adminPort), '--replica', name],
      ...['--tls-dir', join(certs, 'envoy-gateway'), '--tls-refresh-ms', '200'],
    ]);
    // Readiness means the first full snapshot is loaded.
    await waitUntilReady(healthPort);
    return { name, port, adminPort, healthPort, process };
  };
  const clientCredentials = async (): Promise<ChannelCredentials> => {
    const [ca, key, cert] = await Promise.all(
      ['ca.crt', 'tls.key', 'tls.crt'].map((f) => readFile(join(certs, 'envoy', f))),
    );
    return grpcCredentials.createSsl(ca!, key!, cert!);
  };
  const client = async (
    replica: Replica,
    extra: Partial<ConstructorParameters<typeof DeltaAdsClient>[0]> = {},
  ): Promise<DeltaAdsClient> => {
    const c = new DeltaAdsClient({
      address: `127.0.0.1:${replica.port}`,
      node: { id: `client-${++clientIds}`, cluster: KEY },
      credentials: await clientCredentials(),
      channelOptions: { 'grpc.ssl_target_name_override': XDS_SERVER_NAME },
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const proxyStatus = async (replica: Replica): Promise<ProxyStatus[]> => {
    const answer = await httpRequest(`http://127.0.0.1:${replica.adminPort}/proxy-status`);
    return (JSON.parse(answer.body) as { proxies: ProxyStatus[] }).proxies;
  };
  const envoyStatus = async (replica: Replica): Promise<ProxyStatus | undefined> =>
    (await proxyStatus(replica)).find((p) => p.nodeId === 'envoy-1');
  const get = (path: string) => httpRequest(`http://127.0.0.1:${listenPort}${path}`);
  const expectAnswer = (path: string, body: string) =>
    eventually(async () => expect((await get(path)).body).toBe(body), { timeoutMs: 5000 });
  /** Waits until a client holds the resources translated from `xds`. */
  const holds = (c: DeltaAdsClient, xds: XdsIR) =>
    eventually(async () => {
      const want = translateXds(xds);
      for (const [typeUrl, list] of [
        [cluster, want.clusters],
        [endpoint, want.endpoints],
        [listener, want.listeners],
        [route, want.routes],
      ] as const) {
        expect(c.versions(typeUrl)).toEqual(Object.fromEntries(list.map((r) => [r.name, r.version])));
      }
    });

  beforeAll(async () => {
    certs = await mkdtemp(join(tmpdir(), 'eg-xds-certs-'));
    execFileSync(process.execPath, [egctl, 'x', 'certgen', '--out-dir', certs]);
    [nats, a, b, listenPort] = await Promise.all([startNatsServer(), startBackend('a'), startBackend('b'), freePort()]);
    bus = await connectBus({ servers: nats.url, name: 'test' });
    irs = await bus.map<XdsIR>('xds-ir');
    await publish(ir(httpRoute(0, { type: 'Prefix', value: '/' }, a.port)));
    replicas.push(...(await Promise.all([startReplica('replica-0'), startReplica('replica-1')])));

    const sds = xdsSdsFiles({
      certificatePath: join(certs, 'envoy', 'tls.crt'),
      privateKeyPath: join(certs, 'envoy', 'tls.key'),
      caPath: join(certs, 'envoy', 'ca.crt'),
    });
    const sdsDir = await mkdtemp(join(certs, 'sds-'));
    const tls = { sdsCertificatePath: join(sdsDir, 'xds-certificate.json'), sdsTrustedCaPath: join(sdsDir, 'ca.json') };
    await writeFile(tls.sdsCertificatePath, JSON.stringify(sds.certificate));
    await writeFile(tls.sdsTrustedCaPath, JSON.stringify(sds.trustedCa));
    envoy = await startEnvoy({
      bootstrap: renderBootstrap({
        nodeCluster: KEY,
        nodeId: 'envoy-1',
        xdsHost: '127.0.0.1',
        xdsPort: replicas[0]!.port,
        moreXdsServers: [{ host: '127.0.0.1', port: replicas[1]!.port }],
        xdsTls: tls,
        adminAddress: '127.0.0.1',
        adminPort: 0,
        readinessPort: await freePort(),
      }),
    });
    await expectAnswer('/', 'a /');
  });

  // Test clients accept everything; closed after each test so they never stand in for the Envoy.
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await envoy?.stop();
    for (const r of replicas) await r.process.stop();
    await bus?.close();
    await nats?.stop();
    for (const backend of [a, b]) backend?.server.close();
    if (certs) await rm(certs, { recursive: true, force: true });
  });

  it('serves byte-identical resources and versions from both replicas', async () => {
    const xds = ir(httpRoute(0, { type: 'Prefix', value: '/' }, a.port));
    const [one, two] = [await client(replicas[0]!), await client(replicas[1]!)];
    await Promise.all([holds(one, xds), holds(two, xds)]);
    for (const typeUrl of [cluster, endpoint, listener, route]) {
      const bytes = (c: DeltaAdsClient) =>
        [...(c.held.get(typeUrl) ?? [])].map(([name, r]) => [name, r.version, Buffer.from(r.value).toString('hex')]);
      expect(bytes(one)).toEqual(bytes(two));
    }
    // egctl reads the Envoy's own view from its admin API.
    const routes = JSON.parse(
      await egctlRun('config', 'envoy-proxy', 'route', '--admin', `127.0.0.1:${envoy.adminPort}`, '-o', 'json'),
    ) as {
      dynamic_route_configs: { route_config: { name: string } }[];
    };
    expect(routes.dynamic_route_configs.map((r) => r.route_config.name)).toEqual([LISTENER]);
    const endpoints = await egctlRun('config', 'envoy-proxy', 'endpoint', '--admin', `127.0.0.1:${envoy.adminPort}`);
    expect(endpoints).toContain(`port_value: ${a.port}`);
    // The real Envoy runs what the replicas serve.
    await eventually(async () => {
      const status = (await envoyStatus(replicas[0]!)) ?? (await envoyStatus(replicas[1]!));
      expect(status?.types).toMatchObject({
        Cluster: { state: 'SYNCED' },
        ClusterLoadAssignment: { state: 'SYNCED' },
        Listener: { state: 'SYNCED' },
        RouteConfiguration: { state: 'SYNCED' },
      });
    });
  });

  it('sends clusters and endpoints before routes, removals last, and only what changed', async () => {
    const first = ir(httpRoute(0, { type: 'Prefix', value: '/' }, a.port));
    const c = await client(replicas[0]!);
    await holds(c, first);
    c.drainLog();
    // Rule 0 goes, rule 1 with its own cluster comes: the listener itself does not change.
    const second = ir(httpRoute(1, { type: 'Prefix', value: '/' }, a.port));
    await publish(second);
    await holds(c, second);
    const v = translateXds(second);
    const version = (list: typeof v.clusters, name: string) => list.find((r) => r.name === name)?.version;
    const rule1 = 'httproute/default/r/rule/1';
    expect(c.drainLog()).toEqual([
      `Cluster ${rule1}@${version(v.clusters, rule1)}`,
      `ClusterLoadAssignment ${rule1}@${version(v.endpoints, rule1)}`,
      `RouteConfiguration ${LISTENER}@${version(v.routes, LISTENER)}`,
      'Cluster -httproute/default/r/rule/0',
    ]);
    await expectAnswer('/second', 'a /second');

    // Only the endpoints change: one ClusterLoadAssignment goes out, and Envoy follows it.
    const third = ir(httpRoute(1, { type: 'Prefix', value: '/' }, b.port));
    await publish(third);
    await holds(c, third);
    expect(c.drainLog()).toEqual([`ClusterLoadAssignment ${rule1}@${version(translateXds(third).endpoints, rule1)}`]);
    await expectAnswer('/third', 'b /third');
  });

  it('sends an Envoy that reconnects to the other replica nothing it holds', async () => {
    const current = ir(httpRoute(1, { type: 'Prefix', value: '/' }, b.port));
    const before = await client(replicas[0]!);
    await holds(before, current);
    const initialVersions = Object.fromEntries(
      [cluster, endpoint, listener, route].map((t) => [t, before.versions(t)]),
    );
    const after = await client(replicas[1]!, { initialVersions });
    await eventually(async () =>
      expect((await proxyStatus(replicas[1]!)).find((p) => p.nodeId === `client-${clientIds}`)?.types).toMatchObject({
        Cluster: { state: 'SYNCED' },
        Listener: { state: 'SYNCED' },
      }),
    );
    // The first thing the reconnected client receives is the next change, nothing before it.
    const next = ir(httpRoute(1, { type: 'Prefix', value: '/' }, a.port));
    await publish(next);
    await holds(after, next);
    expect(after.drainLog()).toEqual([
      `ClusterLoadAssignment httproute/default/r/rule/1@${translateXds(next).endpoints[0]!.version}`,
    ]);
  });

  it('records a NACK, keeps traffic on the last good config, and serves new Envoys the last acknowledged one', async () => {
    const good = ir(httpRoute(1, { type: 'Prefix', value: '/' }, a.port));
    await expectAnswer('/good', 'a /good');
    const serving = async (): Promise<Replica> => {
      for (const r of replicas) if (await envoyStatus(r)) return r;
      throw new Error('no replica serves the Envoy');
    };
    const replica = await eventually(serving).then((r) => r.value);
    // RE2 has no lookahead: Envoy refuses the route configuration.
    const bad = ir(
      httpRoute(2, { type: 'RegularExpression', value: '/(?=x).*' }, b.port),
      httpRoute(1, { type: 'Prefix', value: '/' }, a.port),
    );
    await publish(bad);
    await eventually(async () => {
      const status = await envoyStatus(replica);
      expect(status?.types['RouteConfiguration']?.state).toBe('NACKED');
      expect(status?.types['RouteConfiguration']?.error).toMatch(/regex|RE2|lookahead|\?=/i);
    });
    const table = await egctlRun(
      'x',
      'proxy-status',
      '--xds-admin',
      replicas.map((r) => `127.0.0.1:${r.adminPort}`).join(','),
    );
    expect(table.split('\n')[0]).toMatch(/^NAME\s+GATEWAY\s+XDS-SERVER\s+CDS\s+LDS\s+EDS\s+RDS\s+SDS$/);
    expect(table).toMatch(
      // Clusters may stay STALE: what the refused routes would release is removed once routes are accepted again.
      new RegExp(
        `envoy-1\\s+default/eg\\s+${replica.name}\\s+(SYNCED|STALE)\\s+SYNCED\\s+(SYNCED|STALE)\\s+NACKED \\(`,
      ),
    );
    expect((await get('/x')).body).toBe('a /x');
    // The refusal is published for the translator, which puts it on the Gateway's status.
    const refusals = await bus.map<EnvoyRejection>('xds-status');
    const key = envoyRejectionKey(KEY, 'envoy-1');
    await eventually(async () =>
      expect((await refusals.get(key))?.value).toEqual({
        irKey: KEY,
        nodeId: 'envoy-1',
        replica: replica.name,
        rejected: { [route]: expect.stringMatching(/perl operator|regex/) },
      }),
    );
    const metrics = await httpRequest(`http://127.0.0.1:${replica.healthPort}/metrics`);
    expect(metrics.body).toMatch(
      /^xds_nack_total\{node_cluster="default\/eg",type_url="[^"]*RouteConfiguration"\} [1-9]/m,
    );

    // A new Envoy of the fleet starts from the configuration the others acknowledged.
    const late = await client(replica);
    await holds(late, good);

    // Fixing the IR is accepted again.
    const fixed = ir(
      httpRoute(2, { type: 'Prefix', value: '/fixed' }, b.port),
      httpRoute(1, { type: 'Prefix', value: '/' }, a.port),
    );
    await publish(fixed);
    await expectAnswer('/fixed', 'b /fixed');
    await eventually(async () =>
      expect((await envoyStatus(replica))?.types['RouteConfiguration']).toEqual({ state: 'SYNCED' }),
    );
    await eventually(async () => expect(await refusals.get(key)).toBeUndefined());
  });

  it('rotates certificates without dropping streams', async () => {
    const c = await client(replicas[0]!);
    const current = ir(
      httpRoute(2, { type: 'Prefix', value: '/fixed' }, b.port),
      httpRoute(1, { type: 'Prefix', value: '/' }, a.port),
    );
    await holds(c, current);
    const serial = () => serverCertificateSerial(replicas[0]!.port);
    const before = await serial();
    // TLS 1.3 only, as Envoy Gateway's xds-server.
    await expect(serverCertificateSerial(replicas[0]!.port, 'TLSv1.2')).rejects.toThrow();
    execFileSync(process.execPath, [egctl, 'x', 'certgen', '--out-dir', certs]);
    const issued = certificateSerial(await readFile(join(certs, 'envoy-gateway', 'tls.crt')));
    expect(issued).not.toBe(before);
    // New handshakes get the new certificate (the replicas re-read their files every 200 ms)...
    await eventually(async () => expect(await serial()).toBe(issued));
    // ...while the open stream goes on: the next change reaches the old client and the Envoy.
    const next = ir(
      httpRoute(2, { type: 'Prefix', value: '/rotated' }, b.port),
      httpRoute(1, { type: 'Prefix', value: '/' }, a.port),
    );
    await publish(next);
    await holds(c, next);
    expect(c.error).toBeUndefined();
    await expectAnswer('/rotated', 'b /rotated');
    // Envoy follows its re-issued client certificate too (SDS from files, watched).
    const envoyIssued = certificateSerial(await readFile(join(certs, 'envoy', 'tls.crt')));
    await eventually(async () => {
      const dump = await httpRequest(`http://127.0.0.1:${envoy.adminPort}/certs`);
      expect(dump.body.toUpperCase()).toContain(envoyIssued.replace(/^0+/, ''));
    });
    // A client with the re-issued certificates connects.
    const fresh = await client(replicas[0]!);
    await holds(fresh, next);
  });

  it('moves the Envoy to the other replica when the one serving it dies, without failing a request', async () => {
    let victim: Replica | undefined;
    await eventually(async () => {
      for (const r of replicas) if (await envoyStatus(r)) victim = r;
      expect(victim).toBeDefined();
    });
    const survivor = replicas.find((r) => r !== victim)!;
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (!stop) {
        const answer = await get('/load').catch((err: unknown) => ({ status: 0, body: String(err) }));
        sent += 1;
        if (answer.status !== 200) failures.push(`${answer.status} ${answer.body}`);
      }
    })();
    victim!.process.child.kill('SIGKILL');
    await eventually(async () => expect((await envoyStatus(survivor))?.types['Listener']?.state).toBe('SYNCED'), {
      timeoutMs: 20_000,
    });
    // The survivor serves the next change.
    await publish(ir(httpRoute(1, { type: 'Prefix', value: '/' }, b.port)));
    await expectAnswer('/moved', 'b /moved');
    stop = true;
    await load;
    expect(sent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});

/** The serial number of the certificate the xds-server presents to a new TLS handshake. */
function serverCertificateSerial(port: number, maxVersion: SecureVersion = 'TLSv1.3'): Promise<string> {
  return new Promise((done, fail) => {
    const socket = tlsConnect(
      {
        ...{ host: '127.0.0.1', port, servername: XDS_SERVER_NAME, rejectUnauthorized: false, ALPNProtocols: ['h2'] },
        maxVersion,
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.destroy();
        done(serial.toUpperCase());
      },
    );
    socket.on('error', fail);
  });
}

function certificateSerial(pem: Buffer): string {
  return new X509Certificate(pem).serialNumber.toUpperCase();
}
