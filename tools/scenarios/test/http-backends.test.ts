import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// HTTPRoute backends and attachment through a real Envoy: weights (SCENARIOS.md 5 as examples/canary), invalid
// backendRefs, Services and ServiceImports through EndpointSlices, ReferenceGrant, timeouts, route status per
// parent, and many routes from several namespaces on one Gateway (SCENARIOS.md 2 as examples/multi-namespace).

const HOST = 'backends.example.com';
const B = (name: string, extra = '') => `{ group: gateway.envoyproxy.io, kind: Backend, name: ${name}${extra} }`;

function resources(ports: Readonly<Record<string, number>>): string {
  return `apiVersion: v1
kind: Service
metadata: { name: svc, namespace: default }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: svc-1, namespace: default, labels: { kubernetes.io/service-name: svc } }
addressType: IPv4
endpoints: [{ addresses: [127.0.0.1] }]
ports: [{ name: http, port: ${ports['v2']} }]
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: { name: imported, namespace: remote }
spec: { type: ClusterSetIP, ports: [{ name: http, port: 3000, protocol: TCP }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: imported-cluster2, namespace: remote, labels: { multicluster.kubernetes.io/service-name: imported } }
addressType: IPv4
endpoints: [{ addresses: [127.0.0.1] }]
ports: [{ name: http, port: ${ports['v3']} }]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: allow-default-routes, namespace: remote }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default }]
  to: [{ group: multicluster.x-k8s.io, kind: ServiceImport }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: backends, namespace: default, generation: 3 }
spec:
  parentRefs: [{ name: gw, sectionName: http, port: PORT }]
  hostnames: [${HOST}, "*.wild.example.com"]
  rules:
    - matches: [{ path: { type: Exact, value: /weights } }]
      backendRefs: [${B('v1', ', weight: 1')}, ${B('v2', ', weight: 1')}, ${B('v3', ', weight: 0')}]
    - matches: [{ path: { type: Exact, value: /all-invalid } }]
      backendRefs: [${B('missing-a')}, ${B('missing-b')}]
    - matches: [{ path: { type: Exact, value: /half-invalid } }]
      backendRefs: [${B('v1', ', weight: 1')}, ${B('missing', ', weight: 1')}]
    - matches: [{ path: { type: Exact, value: /service } }]
      backendRefs: [{ name: svc, port: 80 }]
    - matches: [{ path: { type: Exact, value: /service-import } }]
      backendRefs: [{ group: multicluster.x-k8s.io, kind: ServiceImport, name: imported, namespace: remote, port: 3000 }]
    - matches: [{ path: { value: /request-timeout } }]
      timeouts: { request: 500ms }
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /backend-timeout } }]
      timeouts: { backendRequest: 500ms }
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /no-timeout } }]
      timeouts: { request: 0s }
      backendRefs: [${B('v1')}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: cross-namespace, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [grant.example.com]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1, namespace: other }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: unattached, namespace: default }
spec:
  parentRefs:
    - { name: gw, sectionName: nope }
    - { name: same-only, namespace: team }
    - { name: gw, sectionName: http, port: 1 }
    - { name: no-such-gateway }
  hostnames: [elsewhere.example.net]
  rules: [{ backendRefs: [${B('v1')}] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: other-host, namespace: default }
spec:
  parentRefs: [{ name: narrow }]
  hostnames: [elsewhere.example.net]
  rules: [{ backendRefs: [${B('v1')}] }]
`;
}

function extraGateways(port: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: same-only, namespace: team }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: ${port} , hostname: "*.team.example.com" }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: narrow, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: ${port}, hostname: "*.example.com" }]
`;
}

const GRANT = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: allow-default, namespace: other }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default }]
  to: [{ group: gateway.envoyproxy.io, kind: Backend }]
`;

type Condition = { type: string; status: string; reason: string; message: string; observedGeneration: number };
interface RouteStatus {
  parents: { parentRef: { name: string; sectionName?: string; port?: number }; conditions: Condition[] }[];
}

describe('scenario: HTTPRoute backends and attachment', () => {
  let scenario: Scenario;
  let gw: GatewayClient;
  let canaryPort: number;
  let teamsPort: number;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1', 'v2', 'v3', 'team1', 'team2'] });
    const ports = scenario.backendPorts;
    gw = new GatewayClient(await freePort());
    canaryPort = await freePort();
    teamsPort = await freePort();
    const backends = ['v1', 'v2', 'v3'].map((b) => backendYAML(b, 'default', ports[b]!));
    await scenario.apply(
      'gateway.yaml',
      [
        gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }),
        ...backends,
        backendYAML('v1', 'other', ports['v1']!),
        extraGateways(await freePort()),
      ].join('---\n'),
    );
    await scenario.apply('routes.yaml', resources(ports).replace('port: PORT', `port: ${gw.port}`));

    const canary = await readFile(resolve(import.meta.dirname, '../../../examples/canary/canary.yaml'), 'utf8');
    await scenario.apply(
      'canary.yaml',
      canary
        .replace('port: 8888', `port: ${canaryPort}`)
        .replace('name: eg\n  namespace: default', 'name: canary\n  namespace: default')
        .replace('- name: eg\n', '- name: canary\n')
        .replace('port: 5000', `port: ${ports['v1']}`)
        .replace('port: 5001', `port: ${ports['v2']}`),
    );
    const teams = await readFile(
      resolve(import.meta.dirname, '../../../examples/multi-namespace/multi-namespace.yaml'),
      'utf8',
    );
    await scenario.apply(
      'teams.yaml',
      teams
        .replace('port: 8080', `port: ${teamsPort}`)
        .replace('port: 3001', `port: ${ports['team1']}`)
        .replace('port: 3002', `port: ${ports['team2']}`),
    );
    await gw.until('/weights', { host: HOST }, (a) => expect(a.status).toBe(200));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  const tally = async (client: GatewayClient, path: string, host: string, n: number) => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const answer = await client.send(path, { host });
      const key = answer.echo?.pod ?? String(answer.status);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  it('splits by weight and never sends to a weight-0 backend', async () => {
    const counts = await tally(gw, '/weights', HOST, 60);
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v2']);
  });

  it('serves examples/canary: about 90% to v1 and 10% to v2', async () => {
    const canary = new GatewayClient(canaryPort);
    await canary.until('/hello', { host: 'canary.example.com' }, (a) => expect(a.status).toBe(200));
    const counts = await tally(canary, '/hello', 'canary.example.com', 200);
    expect((counts['v1'] ?? 0) + (counts['v2'] ?? 0)).toBe(200);
    // 90/10 of 200: v2 gets 20 on average; these bounds are many standard deviations wide.
    expect(counts['v2'] ?? 0).toBeGreaterThan(3);
    expect(counts['v2'] ?? 0).toBeLessThan(60);
  });

  it("answers 500 when every backendRef is invalid, and keeps an invalid backendRef's share as 500", async () => {
    expect((await gw.send('/all-invalid', { host: HOST })).status).toBe(500);
    const counts = await tally(gw, '/half-invalid', HOST, 40);
    expect(Object.keys(counts).sort()).toEqual(['500', 'v1']);
  });

  it('reaches Services and ServiceImports through their EndpointSlices', async () => {
    expect((await gw.send('/service', { host: HOST })).echo?.pod).toBe('v2');
    expect((await gw.send('/service-import', { host: HOST })).echo?.pod).toBe('v3');
  });

  it('matches listener-intersected wildcard hostnames', async () => {
    expect((await gw.send('/weights', { host: 'a.wild.example.com' })).status).toBe(200);
    expect((await gw.send('/weights', { host: 'wild.example.com' })).status).toBe(404);
  });

  it('applies timeouts.request and timeouts.backendRequest; 0s disables', async () => {
    expect((await gw.send('/request-timeout', { host: HOST })).status).toBe(200);
    expect((await gw.send('/request-timeout?delay=1s', { host: HOST })).status).toBe(504);
    expect((await gw.send('/backend-timeout?delay=1s', { host: HOST })).status).toBe(504);
    expect((await gw.send('/no-timeout?delay=1s', { host: HOST })).status).toBe(200);
  });

  it('needs a ReferenceGrant for a cross-namespace backendRef', async () => {
    expect((await gw.send('/', { host: 'grant.example.com' })).status).toBe(500);
    const before = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'cross-namespace');
    expect(before.parents[0]?.conditions.find((c) => c.type === 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'RefNotPermitted',
    });
    await scenario.apply('grant.yaml', GRANT);
    await gw.until('/', { host: 'grant.example.com' }, (a) => expect(a.echo?.pod).toBe('v1'));
    await scenario.remove('grant.yaml');
    await gw.until('/', { host: 'grant.example.com' }, (a) => expect(a.status).toBe(500));
  });

  it('reports Accepted and ResolvedRefs per parent with the route generation', async () => {
    const status = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'backends');
    const conditions = status.parents[0]!.conditions;
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Accepted', 'True', 'Accepted', 3],
      ['ResolvedRefs', 'False', 'BackendNotFound', 3],
    ]);

    const unattached = await eventually(async () => {
      const s = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'unattached');
      expect(s.parents).toHaveLength(4);
      return s;
    });
    const reasons = unattached.value.parents.map((p) => p.conditions.find((c) => c.type === 'Accepted')?.reason);
    expect(reasons).toEqual(['NoMatchingParent', 'NotAllowedByListeners', 'NoMatchingParent', 'NoMatchingParent']);
    const other = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'other-host');
    expect(other.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'NoMatchingListenerHostname' });
  });

  it('serves examples/multi-namespace: routes from two namespaces share one Gateway', async () => {
    const teams = new GatewayClient(teamsPort);
    await teams.until('/', { host: 'test1.example.com' }, (a) => expect(a.echo?.pod).toBe('team1'));
    expect((await teams.send('/', { host: 'test2.example.com' })).echo?.pod).toBe('team2');
    expect((await teams.send('/', { host: 'test3.example.com' })).status).toBe(404);
    const gateway = await scenario.status<{ listeners: { attachedRoutes: number }[] }>('Gateway', 'test', 'test-gw');
    expect(gateway.listeners[0]?.attachedRoutes).toBe(2);
  });

  it('lets precedence decide between conflicting routes of two teams and says so in the status', async () => {
    const teams = new GatewayClient(teamsPort);
    await scenario.apply(
      'team3.yaml',
      `${backendYAML('test3', 'team3', scenario.backendPorts['team2']!)}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: test3, namespace: team3 }
spec:
  parentRefs: [{ name: test-gw, namespace: test }]
  hostnames: [test1.example.com]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: test3 }] }]
`,
    );
    const { value: status } = await eventually(async () => {
      const s = await scenario.status<RouteStatus>('HTTPRoute', 'team3', 'test3');
      expect(s.parents[0]?.conditions.map((c) => c.type)).toContain('RouteRulesOverlap');
      return s;
    });
    const overlap = status.parents[0]!.conditions.find((c) => c.type === 'RouteRulesOverlap');
    expect(overlap?.message).toContain('shadowed by HTTPRoute team1/test1');
    // Same match, no creationTimestamp: team1/test1 comes first by namespace/name and keeps the traffic.
    expect((await teams.send('/', { host: 'test1.example.com' })).echo?.pod).toBe('team1');
  });
});
