import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient, type GatewayAnswer } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// BackendTrafficPolicy rateLimit through a real Envoy: Global limits counted by the ratelimit service, Local
// token buckets inside Envoy, policy precedence and status. Global rules select on a Distinct `x-run` header
// too, so each attempt counts from zero with a fresh value and a window that rolls over mid-attempt (hourly
// limits) only costs a retry: no assertion depends on timing.

const B = '{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }';
const RUN = { name: 'x-run', type: 'Distinct' };

function route(name: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${name}.rl.example.com]
  rules: [{ backendRefs: [${B}] }]
---
`;
}

function policy(name: string, target: string, rateLimit: unknown, created = '2026-01-01T00:00:00Z'): string {
  return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: ${name}, namespace: default, creationTimestamp: "${created}" }
spec:
  targetRefs: [${target}]
  rateLimit: ${JSON.stringify(rateLimit)}
---
`;
}

const toRoute = (name: string) => `{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name} }`;
const toGateway = (section?: string) =>
  `{ group: gateway.networking.k8s.io, kind: Gateway, name: gw${section ? `, sectionName: ${section}` : ''} }`;
const global = (...rules: unknown[]) => ({ type: 'Global', global: { rules } });
const perHour = (requests: number) => ({ requests, unit: 'Hour' });

function policies(overrideLimit: number): string {
  return [
    // The Gateway-wide policy: 2 per run for routes without their own.
    policy('gateway-wide', toGateway(), global({ clientSelectors: [{ headers: [RUN] }], limit: perHour(2) })),
    policy(
      'override',
      toRoute('override'),
      global({ clientSelectors: [{ headers: [RUN] }], limit: perHour(overrideLimit) }),
    ),
    policy(
      'distinct',
      toRoute('distinct'),
      global({ clientSelectors: [{ headers: [RUN, { name: 'x-user', type: 'Distinct' }] }], limit: perHour(2) }),
    ),
    policy(
      'exact',
      toRoute('exact'),
      global({ clientSelectors: [{ headers: [RUN, { name: 'x-plan', value: 'free' }] }], limit: perHour(2) }),
    ),
    policy(
      'cidr',
      toRoute('cidr'),
      global(
        { clientSelectors: [{ headers: [RUN], sourceCIDR: { value: '127.0.0.0/8' } }], limit: perHour(3) },
        // Never matches a client on the loopback: must not limit.
        { clientSelectors: [{ headers: [RUN], sourceCIDR: { value: '10.0.0.0/8' } }], limit: perHour(1) },
      ),
    ),
    policy('local', toRoute('local'), { type: 'Local', local: { rules: [{ limit: perHour(3) }] } }),
    // Newer than `override` on the same route: Conflicted, never applied.
    policy('late', toRoute('override'), global({ limit: perHour(1) }), '2026-06-01T00:00:00Z'),
    policy('missing-listener', toGateway('nope'), global({ limit: perHour(1) })),
    // RE2 refuses the lookahead: the policy is Invalid and only its route answers 500.
    policy(
      'bad-regex',
      toRoute('broken'),
      global({
        clientSelectors: [{ headers: [{ name: 'x-a', type: 'RegularExpression', value: '(?=x)' }] }],
        limit: perHour(1),
      }),
    ),
  ].join('');
}

describe('scenario: rate limiting', () => {
  let scenario: Scenario;
  let gateway: GatewayClient;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1'] });
    const port = await freePort();
    gateway = new GatewayClient(port);
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML({ name: 'gw', namespace: 'default', port }) +
        '---\n' +
        backendYAML('v1', 'default', scenario.backendPorts['v1']!),
    );
    await scenario.apply(
      'routes.yaml',
      ['inherit', 'override', 'distinct', 'exact', 'cidr', 'local', 'broken'].map(route).join(''),
    );
    await scenario.apply('policies.yaml', policies(4));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  const send = (host: string, headers: Record<string, string> = {}) =>
    gateway.send('/', { host: `${host}.rl.example.com`, headers });

  /** `n` requests answered, then 429; retried with a fresh run id until the configuration is in place. */
  async function limitedAfter(n: number, host: string, headers: Record<string, string> = {}): Promise<string> {
    const { value } = await eventually(
      async () => {
        const run = randomUUID();
        for (let i = 0; i < n; i++) expect((await send(host, { ...headers, 'x-run': run })).status).toBe(200);
        const over = await send(host, { ...headers, 'x-run': run });
        expect(over.status).toBe(429);
        return run;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return value;
  }

  it('answers 429 after the Global limit, counting each Distinct header value separately', async () => {
    const run = await limitedAfter(2, 'distinct', { 'x-user': 'alice' });
    // Same run, another user: a counter of its own.
    expect((await send('distinct', { 'x-run': run, 'x-user': 'bob' })).status).toBe(200);
    expect((await send('distinct', { 'x-run': run, 'x-user': 'alice' })).status).toBe(429);
    // No x-user header: the rule does not select the request, so it is never limited.
    for (let i = 0; i < 4; i++) expect((await send('distinct', { 'x-run': run })).status).toBe(200);
  });

  it('limits only the requests an Exact header selector matches', async () => {
    const run = await limitedAfter(2, 'exact', { 'x-plan': 'free' });
    for (let i = 0; i < 4; i++) {
      expect((await send('exact', { 'x-run': run, 'x-plan': 'gold' })).status).toBe(200);
    }
  });

  it('limits clients by sourceCIDR', async () => {
    await limitedAfter(3, 'cidr');
  });

  it('applies the route policy over the Gateway policy, and the Gateway policy to the other routes', async () => {
    await limitedAfter(4, 'override');
    await limitedAfter(2, 'inherit');
  });

  it('answers 429 once the Local token bucket is empty', async () => {
    // The first answer carrying the bucket's headers shows the route's configuration is in Envoy.
    const { value: first } = await eventually(
      async () => {
        const answer = await send('local');
        expect(answer.status).toBe(200);
        expect(answer.headers['x-ratelimit-limit']).toBeDefined();
        return answer;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const remaining = Number(first.headers['x-ratelimit-remaining']);
    expect(remaining).toBeLessThan(3);
    for (let i = 0; i < remaining; i++) expect((await send('local')).status).toBe(200);
    const over: GatewayAnswer = await send('local');
    expect(over.status).toBe(429);
  });

  it('reports Accepted, Overridden, Conflicted, TargetNotFound and Invalid policies, and a bad one harms only its route', async () => {
    type Ancestors = {
      ancestors: { ancestorRef: { name: string; sectionName?: string }; conditions: Condition[] }[];
    };
    type Condition = { type: string; status: string; reason: string; message: string };
    const conditions = async (name: string) => {
      const status = await scenario.status<Ancestors>('BackendTrafficPolicy', 'default', name);
      return status.ancestors.flatMap((a) => a.conditions);
    };
    expect(await conditions('gateway-wide')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted' }),
      expect.objectContaining({
        type: 'Overridden',
        status: 'True',
        message:
          'This policy is being overridden by other backendTrafficPolicies for these routes: ' +
          '[default/broken default/cidr default/distinct default/exact default/local default/override]',
      }),
    ]);
    expect(await conditions('override')).toEqual([expect.objectContaining({ type: 'Accepted', status: 'True' })]);
    expect(await conditions('late')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'Conflicted' }),
    ]);
    expect(await conditions('missing-listener')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'TargetNotFound' }),
    ]);
    expect(await conditions('bad-regex')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'Invalid' }),
    ]);
    await gateway.until('/', { host: 'broken.rl.example.com' }, (a) => expect(a.status).toBe(500));
    expect((await send('inherit', { 'x-run': randomUUID() })).status).toBe(200);
  });

  it('serves examples/ratelimit: 3 requests a minute per x-user-id', async () => {
    const port = await freePort();
    const example = await readFile(resolve(import.meta.dirname, '../../../examples/ratelimit/ratelimit.yaml'), 'utf8');
    await scenario.apply(
      'example.yaml',
      example.replace('port: 8888', `port: ${port}`).replace('port: 3000', `port: ${scenario.backendPorts['v1']}`),
    );
    const client = new GatewayClient(port);
    await eventually(
      async () => {
        const user = randomUUID();
        const ask = () => client.send('/get', { host: 'www.example.com', headers: { 'x-user-id': user } });
        for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(200);
        expect((await ask()).status).toBe(429);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('applies a changed limit without restarting anything', async () => {
    const pids = Object.values(scenario.stack.services).map((s) => s.pid);
    await scenario.apply('policies.yaml', policies(6));
    await limitedAfter(6, 'override');
    expect(Object.values(scenario.stack.services).map((s) => s.pid)).toEqual(pids);
  });
});
