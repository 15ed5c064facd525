import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '../src/main.ts');
const QUICKSTART = join(import.meta.dirname, '../../../examples/quickstart/quickstart.yaml');

function egctl(args: readonly string[], input?: string) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'egctl-')), name);
  writeFileSync(file, text);
  return file;
}

describe('egctl x translate', () => {
  it('prints the resources with their status', () => {
    const { code, stdout, stderr } = egctl(['x', 'translate', '-f', QUICKSTART, '--to', 'gateway-api']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const output = parse(stdout);
    expect(Object.keys(output)).toEqual(['gatewayClasses', 'gateways', 'httpRoutes', 'backends']);
    expect(output.httpRoutes[0].status.parents[0].conditions).toMatchObject([
      { type: 'Accepted', status: 'True', reason: 'Accepted' },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
    ]);
  });

  it('prints the IR as JSON, with Kubernetes port mapping on request', () => {
    const { code, stdout } = egctl([
      'x',
      'translate',
      '-f',
      QUICKSTART,
      '--to',
      'ir',
      '-o',
      'json',
      '--mode',
      'kubernetes',
    ]);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual(['xdsIR', 'infraIR']);
    expect(output.infraIR['default/eg'].proxy.listeners[0].ports[0]).toEqual({
      name: 'http-8888',
      protocol: 'HTTP',
      servicePort: 8888,
      containerPort: 8888,
    });
    // The quickstart's loopback Backend is only usable when Envoy runs on the host.
    expect(output.xdsIR['default/eg'].http[0].routes[0].action).toEqual({ type: 'DirectResponse', statusCode: 500 });
  });

  it('prints the resources with status and the Envoy configuration by default', () => {
    const { code, stdout } = egctl(['x', 'translate', '-f', QUICKSTART]);
    expect(code).toBe(0);
    expect(Object.keys(parse(stdout))).toEqual(['gatewayClasses', 'gateways', 'httpRoutes', 'backends', 'xds']);
  });

  it('prints Envoy resources per IR key with --to xds', () => {
    const { code, stdout } = egctl(['x', 'translate', '-f', QUICKSTART, '--to', 'xds', '-o', 'json']);
    expect(code).toBe(0);
    const xds = (parse(stdout) as { xds: Record<string, { listeners: { name: string }[]; clusters: unknown[] }> }).xds;
    expect(Object.keys(xds)).toEqual(['default/eg']);
    expect(xds['default/eg']!.listeners.map((l) => l.name)).toEqual(['default/eg/http']);
    expect(xds['default/eg']!.clusters).toHaveLength(1);
  });

  it('translates examples/jwt: the SecurityPolicy with its status, jwt_authn and the JWKS cluster', () => {
    const example = join(import.meta.dirname, '../../../examples/jwt/jwt.yaml');
    const { code, stdout } = egctl(['x', 'translate', '-f', example, '-o', 'json']);
    expect(code).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.securityPolicies[0].status.ancestors[0].conditions).toMatchObject([
      { type: 'Accepted', status: 'True', reason: 'Accepted' },
    ]);
    const xds = output.xds['default/eg'];
    const hcm = xds.listeners[0].defaultFilterChain.filters[0].typedConfig;
    expect(hcm.httpFilters.map((f: { name: string }) => f.name)).toEqual([
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.grpc_web',
      'envoy.filters.http.grpc_stats',
      'envoy.filters.http.router',
    ]);
    expect(xds.clusters.map((c: { name: string }) => c.name)).toContain('raw_githubusercontent_com_443');
  });

  it('reads stdin with -f -', () => {
    const { code, stdout } = egctl(
      ['x', 'translate', '-f', '-', '--to', 'ir'],
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n',
    );
    expect(code).toBe(0);
    expect(parse(stdout)).toEqual({ xdsIR: {}, infraIR: {} });
  });

  it('exits 1 and prints every load error for invalid input', () => {
    const file = tempFile(
      'routes.yaml',
      `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: foo, namespace: default }
spec:
  rules:
    - backendRefs: [{ name: svc, port: 0 }]
---
apiVersion: v1
kind: Pod
metadata: { name: pod }
`,
    );
    const { code, stdout, stderr } = egctl(['x', 'translate', '-f', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `${file}:6: HTTPRoute default/foo: spec.rules[0].backendRefs[0].port: must be an integer 1-65535`,
    );
    expect(stderr).toContain('Pod envoy-gateway-system/pod (v1) ignored: kind not supported');
  });

  it('exits 1 for a file that cannot be read', () => {
    const { code, stderr } = egctl(['x', 'translate', '-f', '/nonexistent/file.yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read /nonexistent/file.yaml');
  });

  it.each([
    [['x', 'translate']],
    [['x', 'translate', '-f', QUICKSTART, '--to', 'envoy']],
    [['x', 'translate', '-f', QUICKSTART, '-o', 'xml']],
    [['x', 'translate', '-f', QUICKSTART, '--bogus']],
    [['bogus']],
    [[]],
  ])('exits 2 on a usage error: %j', (args) => {
    const { code, stderr } = egctl(args);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: egctl');
  });
});
