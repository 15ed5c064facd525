import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@eg/testing';
import { backendYAML, GATEWAY_CLASS_YAML, GatewayClient, type GatewayAnswer } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// ClientTrafficPolicy through a real Envoy: one Gateway with two HTTP listeners. A policy on the whole Gateway
// (trusted proxy hops, header names with underscores dropped, client request ids kept, escaped slashes refused,
// idle timeouts) and one on the `tuned` listener that overrides it there (Envoy's own headers, underscores
// allowed, no request ids, unmerged slashes, a request deadline, a health check path).

const HOST = 'ctp.example.com';
const B = '{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }';

const gatewayYAML = (ports: {
  plain: number;
  tuned: number;
}) => `${GATEWAY_CLASS_YAML}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: eg
  listeners:
    - { name: plain, protocol: HTTP, port: ${ports.plain} }
    - { name: tuned, protocol: HTTP, port: ${ports.tuned} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules: [{ backendRefs: [${B}] }]
---
`;

const POLICIES = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: { name: gateway-wide, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z" }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw }]
  clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } }
  headers: { withUnderscoresAction: DropHeader, preserveXRequestID: true }
  path: { escapedSlashesAction: RejectRequest }
  timeout: { http: { idleTimeout: 1m, streamIdleTimeout: 1m } }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: { name: tuned, namespace: default, creationTimestamp: "2026-01-02T00:00:00Z" }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: tuned }]
  headers: { enableEnvoyHeaders: true, withUnderscoresAction: Allow, requestID: Disable }
  path: { disableMergeSlashes: true }
  timeout: { http: { requestReceivedTimeout: 1s } }
  healthCheck: { path: /ready }
`;

/** The values the backend got for a header, whatever the case of its name. */
const received = (answer: GatewayAnswer, name: string): readonly string[] | undefined =>
  Object.entries(answer.echo?.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

type PolicyStatus = {
  ancestors: {
    ancestorRef: { sectionName?: string };
    conditions: { type: string; status: string; message: string }[];
  }[];
};

describe('scenario: ClientTrafficPolicy', () => {
  let scenario: Scenario;
  let plain: GatewayClient;
  let tuned: GatewayClient;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1'] });
    plain = new GatewayClient(await freePort());
    tuned = new GatewayClient(await freePort());
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML({ plain: plain.port, tuned: tuned.port }) +
        backendYAML('v1', 'default', scenario.backendPorts['v1']!),
    );
    await scenario.apply('policies.yaml', POLICIES);
    // The health check path answers once the tuned listener's policy is in Envoy.
    await tuned.until('/ready', { host: HOST }, (a) => expect(a.status).toBe(200));
    await plain.until('/', { host: HOST, headers: { x_probe: '1' } }, (a) =>
      expect(received(a, 'x_probe')).toBeUndefined(),
    );
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('drops header names with underscores on the Gateway, and lets them through where the listener allows', async () => {
    const dropped = await plain.send('/', { host: HOST, headers: { x_team: 'a', 'x-team': 'b' } });
    expect(dropped.status).toBe(200);
    expect(received(dropped, 'x_team')).toBeUndefined();
    expect(received(dropped, 'x-team')).toEqual(['b']);
    const allowed = await tuned.send('/', { host: HOST, headers: { x_team: 'a' } });
    expect(received(allowed, 'x_team')).toEqual(['a']);
  });

  it('answers the health check path at Envoy on the tuned listener only', async () => {
    const check = await tuned.send('/ready', { host: HOST });
    expect(check.status).toBe(200);
    expect(check.echo).toBeUndefined();
    expect((await plain.send('/ready', { host: HOST })).echo?.path).toBe('/ready');
  });

  it("adds Envoy's x-envoy-* headers and no request id where the listener asks", async () => {
    const tunedAnswer = await tuned.send('/', { host: HOST });
    expect(tunedAnswer.headers['x-envoy-upstream-service-time']).toBeDefined();
    expect(received(tunedAnswer, 'x-envoy-expected-rq-timeout-ms')).toBeDefined();
    expect(received(tunedAnswer, 'x-request-id')).toBeUndefined();
    const plainAnswer = await plain.send('/', { host: HOST });
    expect(plainAnswer.headers['x-envoy-upstream-service-time']).toBeUndefined();
    expect(received(plainAnswer, 'x-envoy-expected-rq-timeout-ms')).toBeUndefined();
    expect(received(plainAnswer, 'x-request-id')).toHaveLength(1);
  });

  it("keeps the client's x-request-id where the Gateway preserves it", async () => {
    const answer = await plain.send('/', { host: HOST, headers: { 'x-request-id': 'client-chosen-id' } });
    expect(received(answer, 'x-request-id')).toEqual(['client-chosen-id']);
  });

  it('refuses escaped slashes on the Gateway, and redirects to the unescaped path by default', async () => {
    expect((await plain.send('/a%2Fb', { host: HOST })).status).toBe(400);
    const redirect = await tuned.send('/a%2Fb', { host: HOST });
    expect(redirect.status).toBe(307);
    expect(redirect.headers['location']).toBe('/a/b');
  });

  it('keeps repeated slashes where merging is disabled', async () => {
    expect((await tuned.send('//a//b', { host: HOST })).echo?.path).toBe('//a//b');
    expect((await plain.send('//a//b', { host: HOST })).echo?.path).toBe('/a/b');
  });

  it('takes the client address from X-Forwarded-For behind the trusted proxy hop, and from the connection elsewhere', async () => {
    const viaProxy = { host: HOST, headers: { 'x-forwarded-for': '203.0.113.7' } };
    expect(received(await plain.send('/', viaProxy), 'x-envoy-external-address')).toEqual(['203.0.113.7']);
    expect(received(await tuned.send('/', viaProxy), 'x-envoy-external-address')).toEqual(['127.0.0.1']);
  });

  it('answers 408 when a request does not arrive within requestReceivedTimeout', async () => {
    const started = performance.now();
    const reply = await stalledRequest(tuned.port);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('reports the listener policy Accepted and the Gateway policy Overridden there', async () => {
    const wide = await scenario.status<PolicyStatus>('ClientTrafficPolicy', 'default', 'gateway-wide');
    expect(wide.ancestors[0]!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Accepted', status: 'True' }),
        expect.objectContaining({
          type: 'Overridden',
          status: 'True',
          message: 'There are existing ClientTrafficPolicies that are overriding these sections [tuned]',
        }),
      ]),
    );
    const listener = await scenario.status<PolicyStatus>('ClientTrafficPolicy', 'default', 'tuned');
    expect(listener.ancestors).toEqual([
      expect.objectContaining({
        ancestorRef: expect.objectContaining({ sectionName: 'tuned' }),
        conditions: [expect.objectContaining({ type: 'Accepted', status: 'True' })],
      }),
    ]);
  });
});

/** Sends the headers of a POST whose body never comes; resolves with what Envoy answers. */
function stalledRequest(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      // The backend takes 5 s to answer, so only the gateway's deadline can end the request sooner.
      socket.write(`POST /?delay=5s HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 10\r\n\r\n`);
    });
    let reply = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
    });
    socket.on('end', () => resolve(reply));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}
