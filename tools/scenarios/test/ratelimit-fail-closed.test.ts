import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, startRedisServer, type RedisServerFixture } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// Fail closed (Envoy Gateway's rateLimit.failClosed): the ratelimit service answers a gRPC error when Redis is
// down (--failure-mode-deny) and Envoy's filter, configured with failure_mode_deny, turns it into a 500.

const HOST = 'closed.rl.example.com';

describe('scenario: global rate limits fail closed while Redis is down', () => {
  let redis: RedisServerFixture;
  let scenario: Scenario;
  let gateway: GatewayClient;

  beforeAll(async () => {
    redis = await startRedisServer();
    scenario = await startScenario({
      backends: ['v1'],
      // A miss of Envoy's 20 ms default on a busy machine would answer 500 too.
      rateLimit: { redisUrl: redis.url, rateLimitFailClosed: true },
    });
    const port = await freePort();
    gateway = new GatewayClient(port);
    await scenario.apply(
      'all.yaml',
      [
        gatewayYAML({ name: 'gw', namespace: 'default', port }),
        backendYAML('v1', 'default', scenario.backendPorts['v1']!),
        `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: closed, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }] }]
`,
        `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: per-run, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: closed }]
  rateLimit:
    type: Global
    global:
      rules: [{ clientSelectors: [{ headers: [{ name: x-run, type: Distinct }] }], limit: { requests: 2, unit: Hour } }]
`,
      ].join('---\n'),
    );
  });

  afterAll(async () => {
    await scenario?.stop();
    await redis?.stop();
  });

  const send = (run: string) => gateway.send('/', { host: HOST, headers: { 'x-run': run } });

  async function limitedAfter(n: number): Promise<void> {
    await eventually(
      async () => {
        const run = randomUUID();
        for (let i = 0; i < n; i++) expect((await send(run)).status).toBe(200);
        expect((await send(run)).status).toBe(429);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  it('limits while Redis answers, answers 500 while it is down, and limits again once it is back', async () => {
    await limitedAfter(2);
    await redis.kill();
    try {
      await eventually(
        async () => {
          const run = randomUUID();
          for (let i = 0; i < 3; i++) expect((await send(run)).status).toBe(500);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } finally {
      await redis.start();
    }
    await limitedAfter(2);
  });
});
