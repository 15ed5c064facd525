import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient, type GatewayAnswer } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// HTTPRoute matching and precedence through a real Envoy: path, header, query and method matches, ordered as the
// Gateway API orders them, within one route and across routes in several namespaces.

const HOST = 'match.example.com';

function routes(): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: matching, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: Exact, value: /one } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches: [{ path: { type: PathPrefix, value: /v2 } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
    - matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }]
    - matches: [{ headers: [{ name: version, value: two }] }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
    - matches: [{ headers: [{ name: version, value: two }, { name: color, value: orange }] }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches: [{ path: { type: RegularExpression, value: "/regex/[0-9]+" } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches: [{ headers: [{ name: x-tier, type: RegularExpression, value: "gold-[0-9]+" }] }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches:
        - queryParams: [{ name: animal, value: whale }]
        - queryParams: [{ name: id, type: RegularExpression, value: "[a-f]+" }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches: [{ queryParams: [{ name: animal, value: dolphin }, { name: color, value: blue }] }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
    - matches: [{ path: { value: /method }, method: POST }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v3 }]
    - matches: [{ path: { value: /method } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: newer, namespace: team-a, creationTimestamp: "2025-06-01T00:00:00Z" }
spec:
  parentRefs: [{ name: gw, namespace: default }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: Exact, value: /tie } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: older, namespace: team-b, creationTimestamp: "2024-01-01T00:00:00Z" }
spec:
  parentRefs: [{ name: gw, namespace: default }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: Exact, value: /tie } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: beta, namespace: team-a }
spec:
  parentRefs: [{ name: gw, namespace: default }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: Exact, value: /name-tie } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: alpha, namespace: team-a }
spec:
  parentRefs: [{ name: gw, namespace: default }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: Exact, value: /name-tie } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: bad-regex, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: RegularExpression, value: "/look(?=ahead)" } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: relative-path, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { type: PathPrefix, value: relative } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v2 }]
`;
}

describe('scenario: HTTPRoute matching and precedence', () => {
  let scenario: Scenario;
  let gw: GatewayClient;
  const pod = (a: GatewayAnswer) => a.echo?.pod;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1', 'v2', 'v3'] });
    gw = new GatewayClient(await freePort());
    const ports = scenario.backendPorts;
    const backends = ['default', 'team-a', 'team-b'].flatMap((ns) =>
      ['v1', 'v2', 'v3'].map((b) => backendYAML(b, ns, ports[b]!)),
    );
    await scenario.apply(
      'gateway.yaml',
      [gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }), ...backends].join('---\n'),
    );
    await scenario.apply('routes.yaml', routes());
    await gw.until('/', { host: HOST }, (a) => expect(pod(a)).toBe('v1'));
    await gw.until('/name-tie', { host: HOST }, (a) => expect(a.status).toBe(200));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  const expectPod = async (
    path: string,
    expected: string | number,
    extra: { method?: string; headers?: Record<string, string> } = {},
  ) => {
    const answer = await gw.send(path, { host: HOST, ...extra });
    if (typeof expected === 'number') expect(answer.status, path).toBe(expected);
    else
      expect(
        [answer.status, pod(answer)],
        `${extra.method ?? 'GET'} ${path} ${JSON.stringify(extra.headers ?? {})}`,
      ).toEqual([200, expected]);
    return answer;
  };

  it('matches Exact paths exactly, prefixes by whole segment, and regular expressions on the full path', async () => {
    await expectPod('/one', 'v3');
    await expectPod('/one/more', 'v1');
    await expectPod('/v2', 'v2');
    await expectPod('/v2/', 'v2');
    await expectPod('/v2/example', 'v2');
    await expectPod('/v2example', 'v1');
    await expectPod('/regex/42', 'v3');
    await expectPod('/regex/4x2', 'v1');
    const answer = await expectPod('/v2/keep?q=1', 'v2');
    expect(answer.echo?.path).toBe('/v2/keep?q=1');
  });

  it('prefers more header matches, then more query matches; headers match case-insensitively by name', async () => {
    await expectPod('/', 'v2', { headers: { Version: 'two' } });
    await expectPod('/', 'v3', { headers: { version: 'two', color: 'orange' } });
    await expectPod('/', 'v1', { headers: { version: 'three' } });
    await expectPod('/', 'v3', { headers: { 'x-tier': 'gold-7' } });
    await expectPod('/', 'v1', { headers: { 'x-tier': 'silver-7' } });
    await expectPod('/?animal=whale', 'v3');
    await expectPod('/?animal=dolphin', 'v1');
    await expectPod('/?animal=dolphin&color=blue', 'v2');
    await expectPod('/?ANIMAL=whale', 'v1');
    await expectPod('/?id=cafe', 'v3');
    await expectPod('/?id=coffee', 'v1');
    // A header match outranks a query match; a longer prefix outranks both.
    await expectPod('/?animal=whale', 'v2', { headers: { version: 'two' } });
    await expectPod('/v2?animal=whale', 'v2');
  });

  it('prefers a method match over none', async () => {
    await expectPod('/method', 'v3', { method: 'POST' });
    await expectPod('/method', 'v2', { method: 'GET' });
  });

  it('breaks ties across routes by the oldest creationTimestamp, then by namespace/name', async () => {
    await expectPod('/tie', 'v1');
    await expectPod('/name-tie', 'v1');
  });

  it('drops a rule with a regex RE2 rejects, reporting it, while everything else keeps working', async () => {
    await expectPod('/lookahead', 'v1');
    const status = await eventually(async () => {
      const s = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'bad-regex');
      return s;
    });
    const accepted = status.value.parents[0]?.conditions.find((c) => c.type === 'Accepted');
    expect(accepted).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(accepted?.message).toContain('invalid regular expression');
  });

  it('reports every attached route Accepted, the shadowed ones with RouteRulesOverlap, and counts them', async () => {
    for (const [ns, name] of [
      ['default', 'matching'],
      ['team-a', 'newer'],
      ['team-b', 'older'],
      ['team-a', 'alpha'],
    ] as const) {
      const status = await scenario.status<RouteStatus>('HTTPRoute', ns, name);
      const conditions = Object.fromEntries(status.parents[0]!.conditions.map((c) => [c.type, c.status]));
      expect(conditions, `${ns}/${name}`).toMatchObject({ Accepted: 'True', ResolvedRefs: 'True' });
    }
    // The routes that lost a tie stay Accepted and say which route shadows them.
    const newer = await scenario.status<RouteStatus>('HTTPRoute', 'team-a', 'newer');
    const overlap = newer.parents[0]!.conditions.find((c) => c.type === 'RouteRulesOverlap');
    expect(overlap?.message).toContain('shadowed by HTTPRoute team-b/older');
    // The route with a relative path never loads (as the API server would refuse it), so it has no status.
    const gateway = await scenario.status<{ listeners: { attachedRoutes: number }[] }>('Gateway', 'default', 'gw');
    expect(gateway.listeners[0]?.attachedRoutes).toBe(5);
    expect(scenario.logs.some((l) => l.includes('relative-path') && l.includes('must be an absolute path'))).toBe(true);
  });
});

interface RouteStatus {
  parents: { conditions: { type: string; status: string; reason: string; message: string }[] }[];
}
