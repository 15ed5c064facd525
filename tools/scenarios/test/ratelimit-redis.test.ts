import { randomUUID } from 'node:crypto';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitIR } from '@eg/ir';
import { rateLimitServiceDefinition, type WireRateLimitRequest, type WireRateLimitResponse } from '@eg/ratelimit';
import { eventually, freePort, httpRequest, startRedisServer, type RedisServerFixture } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// Global rate limits counted in a real Redis by TWO ratelimit processes: Envoy's ratelimit cluster lists both and
// balances its calls round robin, so a limit that holds exactly proves the replicas share one counter. Then a
// Redis outage (fail open, Envoy Gateway's default) and its recovery, the x-ratelimit-* headers, and a live
// change. Every attempt selects on a fresh `x-run` value, so it counts from zero and no assertion depends on
// timing (hourly limits: a window that rolls over mid-attempt only costs a retry).

type RlsClient = Client & {
  ShouldRateLimit(req: WireRateLimitRequest, cb: (err: ServiceError | null, res: WireRateLimitResponse) => void): void;
};

const HOST = 'shared.rl.example.com';

function policy(requests: number): string {
  return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: per-run, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: shared }]
  rateLimit:
    type: Global
    global:
      rules:
        - clientSelectors: [{ headers: [{ name: x-run, type: Distinct }, { name: x-user, type: Distinct }] }]
          limit: { requests: ${requests}, unit: Hour }
`;
}

describe('scenario: global rate limits in Redis, two ratelimit replicas', () => {
  let redis: RedisServerFixture;
  let scenario: Scenario;
  let gateway: GatewayClient;
  let replicas: RlsClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    scenario = await startScenario({
      backends: ['v1'],
      rateLimit: { redisUrl: redis.url, ratelimitReplicas: 2 },
    });
    const port = await freePort();
    gateway = new GatewayClient(port);
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML({ name: 'gw', namespace: 'default', port }) +
        '---\n' +
        backendYAML('v1', 'default', scenario.backendPorts['v1']!) +
        `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shared, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }] }]
`,
    );
    await scenario.apply('policy.yaml', policy(3));
    const Ctor = makeGenericClientConstructor(rateLimitServiceDefinition(), 'RateLimitService');
    replicas = scenario.stack.ratelimitReplicas.map(
      (r) => new Ctor(`127.0.0.1:${r.grpcPort}`, credentials.createInsecure()) as unknown as RlsClient,
    );
  });

  afterAll(async () => {
    for (const r of replicas) r.close();
    await scenario?.stop();
    await redis?.stop();
  });

  const send = (run: string, user = 'alice') =>
    gateway.send('/', { host: HOST, headers: { 'x-run': run, 'x-user': user } });

  /** `n` requests answered, then 429; retried with a fresh run id until the configuration is in place. */
  async function limitedAfter(n: number): Promise<string> {
    const { value } = await eventually(
      async () => {
        const run = randomUUID();
        for (let i = 0; i < n; i++) expect((await send(run)).status).toBe(200);
        expect((await send(run)).status).toBe(429);
        return run;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return value;
  }

  it('holds the limit exactly while Envoy spreads its calls over both ratelimit processes', async () => {
    expect(scenario.stack.ratelimitReplicas).toHaveLength(2);
    await limitedAfter(3);
    // Both answered Envoy (round robin), OK and OVER_LIMIT alike: had they counted apart, 3 would not have held.
    for (const r of scenario.stack.ratelimitReplicas) {
      const decisions = await decisionsOf(r.healthPort);
      expect((decisions['OK'] ?? 0) + (decisions['OVER_LIMIT'] ?? 0)).toBeGreaterThan(0);
    }
  });

  it('counts the calls of both replicas and of Envoy in one Redis counter', async () => {
    await limitedAfter(3); // the configuration is in place: find the descriptor Envoy sends
    const { domain, routeKey } = await limitedDescriptor();
    const fresh = randomUUID();
    const request = (hits: number): WireRateLimitRequest => ({
      domain,
      descriptors: [
        {
          entries: [
            { key: routeKey, value: routeKey },
            { key: 'rule-0-match-0', value: fresh },
            { key: 'rule-0-match-1', value: 'alice' },
          ],
        },
      ],
      hitsAddend: hits,
    });
    expect((await shouldRateLimit(replicas[0]!, request(1))).statuses[0]?.limitRemaining).toBe(2);
    expect((await shouldRateLimit(replicas[1]!, request(1))).statuses[0]?.limitRemaining).toBe(1);
    expect((await send(fresh)).status).toBe(200);
    expect((await send(fresh)).status).toBe(429);
    expect((await shouldRateLimit(replicas[1]!, request(1))).overallCode).toBe('OVER_LIMIT');
  });

  it('counts each Distinct header value separately', async () => {
    const run = await limitedAfter(3);
    expect((await send(run, 'bob')).status).toBe(200);
    expect((await send(run, 'alice')).status).toBe(429);
  });

  it('adds x-ratelimit-limit, -remaining and -reset, counting down to the 429', async () => {
    await eventually(
      async () => {
        const run = randomUUID();
        const answers = [];
        for (let i = 0; i < 4; i++) answers.push(await send(run));
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
        for (const a of answers) expect(a.headers['x-ratelimit-limit']).toBe('3, 3;w=3600');
        expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
        for (const a of answers) {
          const reset = Number(a.headers['x-ratelimit-reset']);
          expect(reset).toBeGreaterThan(0);
          expect(reset).toBeLessThanOrEqual(3600);
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('lets traffic through while Redis is down (fail open) and limits again once it is back', async () => {
    await limitedAfter(3);
    await redis.kill();
    try {
      await eventually(
        async () => {
          const run = randomUUID();
          for (let i = 0; i < 5; i++) {
            const answer = await send(run);
            expect(answer.status).toBe(200);
            // Nothing was counted, so Envoy has no limit to report.
            expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
          }
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      for (const r of scenario.stack.ratelimitReplicas) {
        expect((await decisionsOf(r.healthPort))['FAILURE_MODE_ALLOWED']).toBeGreaterThan(0);
        expect(await metricsOf(r.healthPort)).toMatch(
          /ratelimit_service_redis_errors_total\{error="RedisUnavailableError"\} [1-9]/,
        );
      }
    } finally {
      await redis.start();
    }
    await limitedAfter(3);
  });

  it('applies a changed limit through the bus without restarting anything', async () => {
    const pids = Object.values(scenario.stack.services).map((s) => s.pid);
    await scenario.apply('policy.yaml', policy(5));
    await limitedAfter(5);
    expect(Object.values(scenario.stack.services).map((s) => s.pid)).toEqual(pids);
  });

  /** The listener's domain and the route's descriptor key, as the translator published them. */
  async function limitedDescriptor(): Promise<{ domain: string; routeKey: string }> {
    const map = await scenario.bus.map<RateLimitIR>('ratelimit-ir');
    for (const key of await map.keys()) {
      const ir = (await map.get(key))?.value;
      const route = ir?.descriptors.find((d) => d.key.includes('/shared/'));
      if (ir && route) return { domain: ir.domain, routeKey: route.key };
    }
    throw new Error('no rate-limit IR for route default/shared');
  }
});

function shouldRateLimit(client: RlsClient, request: WireRateLimitRequest): Promise<WireRateLimitResponse> {
  return new Promise((resolve, reject) =>
    client.ShouldRateLimit(request, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function metricsOf(healthPort: number): Promise<string> {
  return (await httpRequest(`http://127.0.0.1:${healthPort}/metrics`)).body;
}

/** `ratelimit_service_decisions_total` summed by code. */
async function decisionsOf(healthPort: number): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const [, code, value] of (await metricsOf(healthPort)).matchAll(
    /^ratelimit_service_decisions_total\{[^}]*code="([A-Z_]+)"[^}]*\} (\d+)/gm,
  )) {
    totals[code!] = (totals[code!] ?? 0) + Number(value);
  }
  return totals;
}
