import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// certgen, proxy-status and config envoy-proxy against stand-in admin APIs; the xds-server's integration
// test runs them against real replicas and a real Envoy.

const MAIN = join(import.meta.dirname, '../src/main.ts');

function egctl(args: readonly string[]) {
  // Asynchronous, so the stand-in servers of this process can answer.
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [MAIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function serve(routes: Record<string, unknown>): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    const body = routes[(req.url ?? '').split('?')[0]!];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ server, address: `127.0.0.1:${(server.address() as { port: number }).port}` }),
    ),
  );
}

describe('egctl proxy commands', () => {
  let xds: { server: Server; address: string };
  let envoy: { server: Server; address: string };

  beforeAll(async () => {
    xds = await serve({
      '/proxy-status': {
        replica: 'xds-0',
        proxies: [
          {
            nodeId: 'envoy-1',
            nodeCluster: 'default/eg',
            protocol: 'delta',
            types: {
              Cluster: { state: 'SYNCED' },
              Listener: { state: 'SYNCED' },
              ClusterLoadAssignment: { state: 'STALE' },
              RouteConfiguration: { state: 'NACKED', error: 'invalid regex\nmore' },
              Secret: { state: 'SYNCED' },
            },
          },
        ],
      },
    });
    envoy = await serve({
      '/config_dump': {
        configs: [
          { '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: [] },
          { '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump', dynamic_route_configs: [] },
        ],
      },
    });
  });

  afterAll(() => {
    xds.server.close();
    envoy.server.close();
  });

  it('x proxy-status prints one row per Envoy with its state per xDS type', async () => {
    const { code, stdout } = await egctl(['x', 'proxy-status', '--xds-admin', xds.address]);
    expect(code).toBe(0);
    expect(stdout.split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['NAME', 'GATEWAY', 'XDS-SERVER', 'CDS', 'LDS', 'EDS', 'RDS', 'SDS'],
      ['envoy-1', 'default/eg', 'xds-0', 'SYNCED', 'SYNCED', 'STALE', 'NACKED (invalid regex)', 'SYNCED'],
      [''],
    ]);
  });

  it('config envoy-proxy prints one part of the config dump', async () => {
    const { code, stdout } = await egctl(['config', 'envoy-proxy', 'route', '--admin', envoy.address, '-o', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
      dynamic_route_configs: [],
    });
  });

  it('explains bad arguments (exit 2) and unreachable admin APIs (exit 1)', async () => {
    expect((await egctl(['config', 'envoy-proxy', 'routes', '--admin', envoy.address])).code).toBe(2);
    expect((await egctl(['config', 'envoy-proxy', 'route'])).stderr).toMatch(/--admin HOST:PORT or --state-file/);
    const down = await egctl(['x', 'proxy-status', '--xds-admin', '127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot read http:\/\/127\.0\.0\.1:1\/proxy-status/);
  });

  it('x certgen writes the CA and the certificates, and re-issues them from the same CA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egctl-certs-'));
    try {
      const run = () => spawnSync(process.execPath, [MAIN, 'x', 'certgen', '--out-dir', dir], { encoding: 'utf8' });
      expect(run().status).toBe(0);
      const ca = readFileSync(join(dir, 'envoy', 'ca.crt'), 'utf8');
      const first = readFileSync(join(dir, 'envoy-gateway', 'tls.crt'), 'utf8');
      expect(run().status).toBe(0);
      expect(readFileSync(join(dir, 'envoy', 'ca.crt'), 'utf8')).toBe(ca);
      expect(readFileSync(join(dir, 'envoy-gateway', 'tls.crt'), 'utf8')).not.toBe(first);
      const verify = spawnSync(
        'openssl',
        ['verify', '-CAfile', join(dir, 'envoy-gateway', 'ca.crt'), join(dir, 'envoy-gateway', 'tls.crt')],
        {
          encoding: 'utf8',
        },
      );
      expect(verify.stdout).toMatch(/: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
