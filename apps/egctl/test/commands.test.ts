import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connectBus } from '@eg/bus';
import { resourceKey, type ResourceStatus } from '@eg/ir';
import { startNatsServer, type NatsServerFixture } from '@eg/testing';

const MAIN = join(import.meta.dirname, '../src/main.ts');
const QUICKSTART = join(import.meta.dirname, '../../../examples/quickstart/quickstart.yaml');

function egctl(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'egctl-')), name);
  writeFileSync(file, text);
  return file;
}

const ROUTE_ONLY = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: lonely, namespace: team-a }
spec:
  parentRefs: [{ name: edge }]
  rules: [{ backendRefs: [{ name: svc, port: 80 }] }]
`;

describe('egctl x validate', () => {
  it('accepts valid files', async () => {
    expect(await egctl(['x', 'validate', '-f', QUICKSTART])).toMatchObject({
      code: 0,
      stdout: '4 resource(s) in 1 file(s) are valid\n',
    });
  });

  it("reports the provider's messages for invalid fields and objects defined twice, with exit code 1", async () => {
    const bad = tempFile('bad.yaml', ROUTE_ONLY.replace('port: 80', 'port: 99999'));
    const copy = tempFile('copy.yaml', ROUTE_ONLY);
    const { code, stderr } = await egctl(['x', 'validate', '-f', bad, '-f', copy, '-f', copy]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${bad}:6: HTTPRoute team-a/lonely: spec.rules[0].backendRefs[0].port: must be an integer`,
    );
    expect(stderr).toContain(`${copy}: HTTPRoute team-a/lonely is already defined in another file`);
  });
});

describe('egctl x translate --add-missing-resources', () => {
  it('adds the Gateway and GatewayClass a lone route refers to, so the route is accepted', async () => {
    const file = tempFile('route.yaml', ROUTE_ONLY);
    const without = parse((await egctl(['x', 'translate', '-f', file, '--to', 'gateway-api'])).stdout);
    expect(without.httpRoutes[0].status.parents[0].conditions[0]).toMatchObject({ type: 'Accepted', status: 'False' });

    const { code, stdout } = await egctl([
      'x',
      'translate',
      '-f',
      file,
      '--to',
      'gateway-api',
      '--add-missing-resources',
    ]);
    expect(code).toBe(0);
    const output = parse(stdout);
    expect(output.gatewayClasses[0].metadata.name).toBe('eg');
    expect(output.gateways[0]).toMatchObject({ metadata: { name: 'edge', namespace: 'team-a' } });
    expect(output.httpRoutes[0].status.parents[0].conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
  });
});

describe('egctl version', () => {
  it('prints the client version as YAML or JSON', async () => {
    expect(parse((await egctl(['version'])).stdout).client.version).toBe('v0.1.0');
    expect(JSON.parse((await egctl(['version', '-o', 'json'])).stdout).client.nodeVersion).toBe(process.version);
  });
});

describe('egctl x status', () => {
  let nats: NatsServerFixture;
  const route: ResourceStatus = {
    kind: 'HTTPRoute',
    apiVersion: 'gateway.networking.k8s.io/v1',
    namespace: 'default',
    name: 'backend',
    status: {
      parents: [
        {
          parentRef: { name: 'eg' },
          controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
          conditions: [
            { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route is accepted' },
            {
              type: 'ResolvedRefs',
              status: 'False',
              reason: 'BackendNotFound',
              message: 'Backend default/x not found',
            },
          ],
        },
      ],
    },
  };
  const gatewayClass: ResourceStatus = {
    kind: 'GatewayClass',
    apiVersion: 'gateway.networking.k8s.io/v1',
    name: 'eg',
    status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Valid GatewayClass' }] },
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    const bus = await connectBus({ servers: nats.url, name: 'test' });
    const map = await bus.map<ResourceStatus>('status');
    for (const s of [route, gatewayClass]) await map.put(resourceKey(s.kind, s.namespace, s.name), s);
    await map.commit();
    await bus.close();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it('prints each condition as a table row, with messages when verbose', async () => {
    const { code, stdout } = await egctl(['x', 'status', '--nats', nats.url]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KIND\s+NAMESPACE\s+NAME\s+SCOPE\s+TYPE\s+STATUS\s+REASON$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['GatewayClass', 'eg', 'Accepted', 'True', 'Accepted'],
      ['HTTPRoute', 'default', 'backend', 'parent', 'eg', 'Accepted', 'True', 'Accepted'],
      ['HTTPRoute', 'default', 'backend', 'parent', 'eg', 'ResolvedRefs', 'False', 'BackendNotFound'],
    ]);
    const verbose = await egctl(['x', 'status', 'httproute', '-v', '--nats', nats.url]);
    expect(verbose.stdout).toContain('Backend default/x not found');
    expect(verbose.stdout).not.toContain('GatewayClass');
  });

  it('prints the resources with their status as YAML or JSON, filtered by kind and namespace', async () => {
    const json = JSON.parse((await egctl(['x', 'status', 'httproutes', '-o', 'json', '--nats', nats.url])).stdout);
    expect(json).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'backend', namespace: 'default' },
        status: route.status,
      },
    ]);
    const other = parse((await egctl(['x', 'status', '-n', 'other', '-o', 'yaml', '--nats', nats.url])).stdout);
    expect(other.map((r: { kind: string }) => r.kind)).toEqual(['GatewayClass']);
  });

  it('says when the control plane cannot be reached', async () => {
    const { code, stderr } = await egctl(['x', 'status', '--nats', 'nats://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toContain("cannot reach the control plane's NATS at nats://127.0.0.1:1");
  });
});
