import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import type { InfraIR } from '@eg/ir';
import { eventually, freePort, startNatsServer, type NatsServerFixture } from '@eg/testing';

// The host-mode infra-manager as its own process: infra IR in NATS -> a real Envoy child process whose
// bootstrap dials the xds-server address (a bare TCP listener here stands in as the dial target).

const infra = (name: string): InfraIR => ({
  proxy: {
    name,
    namespace: 'envoy-gateway-system',
    labels: {},
    listeners: [
      {
        name: `${name}/http`,
        ports: [{ name: 'http-8080', protocol: 'HTTP', servicePort: 8080, containerPort: 8080 }],
      },
    ],
  },
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('infra-manager (host mode)', () => {
  let nats: NatsServerFixture;
  let bus: Bus;
  let map: WatchableMap<InfraIR>;
  let manager: ChildProcess;
  let xdsListener: Server;
  const xdsConnections: Socket[] = [];
  const started = new Map<string, number>();
  let certs: string;
  let stateFile: string;
  let xdsPort: number;
  let secondXdsPort: number;

  beforeAll(async () => {
    nats = await startNatsServer();
    certs = await mkdtemp(join(tmpdir(), 'eg-infra-certs-'));
    stateFile = join(certs, 'state.json');
    execFileSync(process.execPath, [
      resolve(import.meta.dirname, '../../egctl/src/main.ts'),
      'x',
      'certgen',
      '--out-dir',
      certs,
    ]);
    secondXdsPort = await freePort();
    bus = await connectBus({ servers: nats.url, name: 'infra-test' });
    map = await bus.map<InfraIR>('infra-ir');
    xdsListener = createServer((socket) => xdsConnections.push(socket));
    xdsPort = await freePort();
    await new Promise<void>((r) => xdsListener.listen(xdsPort, '127.0.0.1', r));
    manager = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../src/main.ts'),
        '--nats',
        nats.url,
        '--health-port',
        String(await freePort()),
        '--xds-port',
        String(xdsPort),
        '--drain-time-s',
        '1',
        ...['--xds-servers', `127.0.0.1:${secondXdsPort}`, '--state-file', stateFile],
        ...['--xds-tls-dir', join(certs, 'envoy')],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    createInterface({ input: manager.stdout! }).on('line', (line) => {
      const record = JSON.parse(line) as { msg: string; proxy?: string; pid?: number };
      if (record.msg === 'envoy started' && record.proxy && record.pid) started.set(record.proxy, record.pid);
    });
  });

  afterAll(async () => {
    if (manager.exitCode === null) {
      manager.kill('SIGTERM');
      await new Promise((r) => manager.once('exit', r));
    }
    for (const s of xdsConnections) s.destroy();
    xdsListener.close();
    await bus.close();
    await nats.stop();
    await rm(certs, { recursive: true, force: true });
  });

  it('starts one Envoy per Gateway that dials the xds-server, and stops it when the Gateway goes', async () => {
    await map.put('default/eg', infra('default/eg'));
    await map.commit();
    const { value: pid } = await eventually(async () => {
      const name = [...started.keys()].find((n) => n.startsWith('default-eg-'));
      expect(name).toBeDefined();
      return started.get(name!)!;
    });
    expect(processAlive(pid)).toBe(true);
    await eventually(async () => expect(xdsConnections.length).toBeGreaterThan(0));
    // The state file says where the proxy's admin address is; its bootstrap dials both replicas over mTLS.
    const { proxies } = JSON.parse(await readFile(stateFile, 'utf8')) as {
      proxies: { irKey: string; adminAddressPath: string }[];
    };
    expect(proxies.map((p) => p.irKey)).toEqual(['default/eg']);
    await eventually(async () =>
      expect(await readFile(proxies[0]!.adminAddressPath, 'utf8')).toMatch(/^127\.0\.0\.1:\d+/),
    );
    const bootstrap = await readFile(join(dirname(proxies[0]!.adminAddressPath), 'bootstrap.json'), 'utf8');
    expect(bootstrap).toContain('"sni": "envoy-gateway"');
    expect(bootstrap).toContain(`"port_value": ${xdsPort}`);
    expect(bootstrap).toContain(`"port_value": ${secondXdsPort}`);

    await map.delete('default/eg');
    await map.commit();
    await eventually(async () => expect(processAlive(pid)).toBe(false));
  });

  it('stops its Envoys on SIGTERM', async () => {
    await map.put('default/other', infra('default/other'));
    await map.commit();
    const { value: pid } = await eventually(async () => {
      const name = [...started.keys()].find((n) => n.startsWith('default-other-'));
      expect(name).toBeDefined();
      return started.get(name!)!;
    });
    manager.kill('SIGTERM');
    await new Promise((r) => manager.once('exit', r));
    expect(processAlive(pid)).toBe(false);
  });
});
