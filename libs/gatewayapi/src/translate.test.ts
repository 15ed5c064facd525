import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJSON, type HTTPRoute as IRRoute } from '@eg/ir';
import { describe, expect, it } from 'vitest';
import { loadResources } from './load.ts';
import type { Resource } from './resources.ts';
import { translate, type TranslateResult } from './translate.ts';

const TESTDATA = join(import.meta.dirname, '../test/testdata');

function load(text: string): Resource[] {
  const { resources, errors } = loadResources(text, 'test.yaml');
  expect(errors).toEqual([]);
  return resources;
}

function serialize(result: TranslateResult): string {
  return canonicalJSON({
    xds: [...result.xds],
    infra: [...result.infra],
    rateLimit: [...result.rateLimit],
    statuses: result.statuses,
  });
}

/** A deterministic shuffle, so a failure can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: app, namespace: default }
spec:
  endpoints: [{ ip: { address: 10.0.0.1, port: 3000 } }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: good, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [good.example.com]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: app }]
`;

function routesOf(result: TranslateResult, routeName: string): readonly IRRoute[] {
  const routes = result.xds.get('default/eg')?.http[0]?.routes ?? [];
  return routes.filter((r) => r.metadata.name === routeName);
}

describe('translate', () => {
  it('gives byte-identical output for the same resources in any order', () => {
    const files = readdirSync(TESTDATA).filter((f) => f.endsWith('.in.yaml'));
    for (const file of files) {
      // Documents that fail to load (the validation cases) are simply absent.
      const { resources } = loadResources(readFileSync(join(TESTDATA, file), 'utf8'), file);
      const expected = serialize(translate(resources, { runningOnHost: false }));
      for (const seed of [1, 2, 3]) {
        expect(serialize(translate(shuffle(resources, seed), { runningOnHost: false })), file).toBe(expected);
      }
    }
  });

  it('keeps a valid route unchanged when another route is broken', () => {
    const alone = translate(load(BASE), { runningOnHost: false });
    const withBroken = translate(
      load(`${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: broken, namespace: default }
spec:
  parentRefs: [{ name: eg, sectionName: http }, { name: eg, sectionName: nope }]
  hostnames: [broken.example.com]
  rules:
    - filters: [{ type: ExtensionRef, extensionRef: { group: example.io, kind: Unknown, name: x } }]
    - backendRefs: [{ name: missing, port: 80 }, { group: x.io, kind: Y, name: z }]
`),
      { runningOnHost: false },
    );
    expect(routesOf(withBroken, 'good')).toEqual(routesOf(alone, 'good'));
    const goodStatus = (r: TranslateResult) => r.statuses.find((s) => s.kind === 'HTTPRoute' && s.name === 'good');
    expect(goodStatus(withBroken)).toEqual(goodStatus(alone));
  });

  it('binds privileged ports shifted by 10000 in Kubernetes and as written on the host', () => {
    const resources = load(BASE);
    const port = (runningOnHost: boolean) =>
      translate(resources, { runningOnHost }).xds.get('default/eg')?.http[0]?.port;
    expect(port(false)).toBe(10080);
    expect(port(true)).toBe(80);
  });

  it('reports Programmed for a Gateway only when Envoy runs on the host', () => {
    const types = (runningOnHost: boolean) =>
      (
        translate(load(BASE), { runningOnHost }).statuses.find((s) => s.kind === 'Gateway')?.status as {
          conditions: { type: string }[];
        }
      ).conditions.map((c) => c.type);
    expect(types(true)).toEqual(['Accepted', 'Programmed']);
    expect(types(false)).toEqual(['Accepted']);
  });

  it('rejects loopback Backends in Kubernetes but accepts them on the host', () => {
    const resources = load(BASE.replace('10.0.0.1', '127.0.0.1'));
    const action = (runningOnHost: boolean) => routesOf(translate(resources, { runningOnHost }), 'good')[0]?.action;
    expect(action(false)).toEqual({ type: 'DirectResponse', statusCode: 500 });
    expect(action(true)).toMatchObject({ type: 'Forward' });
  });

  it('produces no IR and no status for an empty input', () => {
    const result = translate([], { runningOnHost: true });
    expect([result.xds.size, result.infra.size, result.rateLimit.size, result.statuses.length]).toEqual([0, 0, 0, 0]);
  });
});
