import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCA,
  eventually,
  freePort,
  grpcWebCall,
  GrpcEchoClient,
  startGrpcEcho,
  tlsSecretYAML,
  type GrpcCallOptions,
  type GrpcEchoServer,
} from '@eg/testing';
import { backendYAML, GATEWAY_CLASS_YAML } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// GRPCRoute through a real Envoy: real @grpc/grpc-js servers behind it, a real gRPC client (HTTP/2 without TLS)
// and a gRPC-Web call (HTTP/1.1) in front. Method and header matching, precedence, hostnames, weights, header
// filters, a rate limit, the UNIMPLEMENTED answer for unrouted calls, a listener that refuses GRPCRoutes, and
// SCENARIOS.md 7 as examples/grpc.

const HOST = 'grpc.example.com';
const EXAMPLE_HOST = 'grpc-example.com';
const SECURE_HOST = 'secure.example.com';
const UNIMPLEMENTED = 12;
const UNAVAILABLE = 14;
const SERVICES = { 'echo.Echo': ['Ping', 'GetOne', 'Health'], 'echo.Other': ['Ping', 'Health', 'Split'] };
/** What examples/grpc routes to its backend, and methods it must not route. */
const YAGES_SERVICES = {
  'yages.Echo': ['Ping'],
  'grpc.reflection.v1alpha.ServerReflection': ['ServerReflectionInfo'],
  'other.Echo': ['Pinned'],
  'other.Svc': ['Ping', 'Pong'],
};

function gatewayYAML(grpcPort: number, httpOnlyPort: number, tlsPort: number): string {
  return `${GATEWAY_CLASS_YAML}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: eg
  listeners:
    - { name: grpc, protocol: HTTP, port: ${grpcPort} }
    - name: http-only
      protocol: HTTP
      port: ${httpOnlyPort}
      allowedRoutes: { kinds: [{ kind: HTTPRoute }] }
    - name: grpcs
      protocol: HTTPS
      port: ${tlsPort}
      hostname: ${SECURE_HOST}
      tls: { certificateRefs: [{ name: secure-cert }] }
`;
}

const ROUTES = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: echo, namespace: default }
spec:
  parentRefs: [{ name: gw, sectionName: grpc }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ method: { service: echo.Echo, method: Ping } }]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-route, value: exact }], remove: [x-drop] }
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: a }]
    - matches: [{ method: { service: echo.Echo } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: b }]
    - matches: [{ method: { service: echo.Echo, method: Ping }, headers: [{ name: x-tenant, value: blue }] }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: c }]
    - matches: [{ method: { type: RegularExpression, service: "echo\\\\.Echo", method: "Get.*" } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: c }]
    - matches: [{ method: { method: Health } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: c }]
    - matches: [{ method: { service: echo.Other, method: Split } }]
      backendRefs:
        - { group: gateway.envoyproxy.io, kind: Backend, name: a, weight: 1 }
        - { group: gateway.envoyproxy.io, kind: Backend, name: b, weight: 1 }
        - { group: gateway.envoyproxy.io, kind: Backend, name: c, weight: 0 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: wildcard, namespace: default }
spec:
  parentRefs: [{ name: gw, sectionName: grpc }]
  hostnames: ["*.wild.example.com"]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: b }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: limited, namespace: default }
spec:
  parentRefs: [{ name: gw, sectionName: grpc }]
  hostnames: [limited.example.com]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: a }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: limited, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: GRPCRoute, name: limited }]
  rateLimit:
    type: Local
    local: { rules: [{ limit: { requests: 2, unit: Hour } }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: secure, namespace: default }
spec:
  parentRefs: [{ name: gw, sectionName: grpcs }]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: c }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: refused, namespace: default }
spec:
  parentRefs: [{ name: gw, sectionName: http-only }]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: a }]
`;

describe('scenario: GRPCRoute', () => {
  let scenario: Scenario;
  let servers: GrpcEchoServer[];
  let client: GrpcEchoClient;
  let exampleClient: GrpcEchoClient;
  let grpcPort: number;
  let examplePort: number;
  let tlsClient: GrpcEchoClient;

  const call = (path: string, opts: GrpcCallOptions = {}) => client.call(path, { authority: HOST, ...opts });
  const served = async (path: string, opts: GrpcCallOptions = {}) => {
    const result = await call(path, opts);
    expect(result.code, `${path} ${JSON.stringify(opts)}: ${result.details}`).toBe(0);
    return result.reply!;
  };

  beforeAll(async () => {
    servers = await Promise.all([
      ...['a', 'b', 'c'].map((name) => startGrpcEcho(name, SERVICES)),
      startGrpcEcho('yages', YAGES_SERVICES),
    ]);
    const yages = servers.find((s) => s.name === 'yages')!;
    scenario = await startScenario();
    grpcPort = await freePort();
    examplePort = await freePort();
    const backends = servers.filter((s) => s !== yages).map((s) => backendYAML(s.name, 'default', s.port));
    const ca = await createTestCA();
    const tlsPort = await freePort();
    const secret = tlsSecretYAML('default', 'secure-cert', await ca.issue([SECURE_HOST]));
    await scenario.apply(
      'gateway.yaml',
      [gatewayYAML(grpcPort, await freePort(), tlsPort), secret, ...backends].join('---\n'),
    );
    tlsClient = new GrpcEchoClient(`127.0.0.1:${tlsPort}`, { ca: ca.cert });
    await scenario.apply('routes.yaml', ROUTES);
    const example = await readFile(resolve(import.meta.dirname, '../../../examples/grpc/grpc.yaml'), 'utf8');
    await scenario.apply(
      'example.yaml',
      example.replace('port: 8080', `port: ${examplePort}`).replace('port: 9000', `port: ${yages.port}`),
    );
    client = new GrpcEchoClient(`127.0.0.1:${grpcPort}`);
    exampleClient = new GrpcEchoClient(`127.0.0.1:${examplePort}`);
    await eventually(
      async () => {
        expect((await served('/echo.Echo/Ping')).server).toBe('a');
        expect((await exampleClient.call('/yages.Echo/Ping', { authority: EXAMPLE_HOST })).code).toBe(0);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    client?.close();
    exampleClient?.close();
    tlsClient?.close();
    await scenario?.stop();
    await Promise.all((servers ?? []).map((s) => s.stop()));
  });

  it('routes by exact method, service, method alone, pattern and header, in GRPCRoute precedence', async () => {
    expect((await served('/echo.Echo/Ping')).server).toBe('a');
    expect((await served('/echo.Echo/Health')).server).toBe('b');
    expect((await served('/echo.Echo/GetOne')).server).toBe('c');
    // A method alone matches it in any service, but ranks below a matching service (more service characters).
    expect((await served('/echo.Other/Health')).server).toBe('c');
    // More header matches win over the same method match alone.
    expect((await served('/echo.Echo/Ping', { metadata: { 'x-tenant': 'blue' } })).server).toBe('c');
    expect((await served('/echo.Echo/Ping', { metadata: { 'x-tenant': 'red' } })).server).toBe('a');
  });

  it('answers UNIMPLEMENTED for calls no route takes, on a known or an unknown hostname', async () => {
    expect((await call('/echo.Other/Ping')).code).toBe(UNIMPLEMENTED);
    expect((await call('/echo.Echo/Ping', { authority: 'other.example.com' })).code).toBe(UNIMPLEMENTED);
  });

  it('matches hostnames, wildcards included', async () => {
    expect((await served('/echo.Other/Ping', { authority: 'svc.wild.example.com' })).server).toBe('b');
    expect((await call('/echo.Other/Ping', { authority: 'wild.example.com' })).code).toBe(UNIMPLEMENTED);
  });

  it('applies RequestHeaderModifier before the backend sees the call', async () => {
    const reply = await served('/echo.Echo/Ping', { metadata: { 'x-route': 'client', 'x-drop': 'yes' } });
    expect(reply.metadata['x-route']).toBe('exact');
    expect(reply.metadata['x-drop']).toBeUndefined();
  });

  it('splits calls by weight over HTTP/2 backends, never to a zero weight', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await served('/echo.Other/Split')).server);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('rate-limits a GRPCRoute targeted by a BackendTrafficPolicy, answering UNAVAILABLE', async () => {
    const limited = { authority: 'limited.example.com' };
    await eventually(async () => expect((await call('/echo.Echo/Ping', limited)).code).toBe(0));
    const refused = await eventually(
      async () => {
        const result = await call('/echo.Echo/Ping', limited);
        expect(result.code).toBe(UNAVAILABLE);
        return result;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(refused.value.details).toBe('local_rate_limited');
    expect((await call('/echo.Echo/Ping')).code).toBe(0);
  });

  it('serves GRPCRoutes on an HTTPS listener (TLS, HTTP/2 by ALPN)', async () => {
    const { value } = await eventually(async () => {
      const result = await tlsClient.call('/echo.Other/Ping', { authority: SECURE_HOST });
      expect(result.code, result.details).toBe(0);
      return result;
    });
    expect(value.reply?.server).toBe('c');
  });

  it('answers gRPC-Web (HTTP/1.1) calls by translating them to gRPC', async () => {
    const answer = await grpcWebCall(`http://127.0.0.1:${grpcPort}/echo.Echo/Ping`, HOST, { hello: 'web' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/grpc-web');
    expect(answer.trailers['grpc-status']).toBe('0');
    expect(answer.messages).toMatchObject([{ server: 'a', path: '/echo.Echo/Ping' }]);
  });

  it('serves examples/grpc as SCENARIOS.md 7 describes, gRPC-Web text over HTTP/2 included', async () => {
    const onExample = (path: string) => exampleClient.call(path, { authority: EXAMPLE_HOST });
    for (const path of [
      '/yages.Echo/Ping',
      '/other.Svc/Ping',
      '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
      '/other.Echo/Pinned',
    ]) {
      const result = await onExample(path);
      expect([result.code, result.reply?.server, result.reply?.path], path).toEqual([0, 'yages', path]);
    }
    expect((await onExample('/other.Svc/Pong')).code).toBe(UNIMPLEMENTED);
    const web = await grpcWebCall(`http://127.0.0.1:${examplePort}/yages.Echo/Ping`, EXAMPLE_HOST, {}, { text: true });
    expect(web.contentType).toContain('application/grpc-web-text');
    expect(web.trailers['grpc-status']).toBe('0');
    expect(web.messages).toMatchObject([{ server: 'yages', path: '/yages.Echo/Ping' }]);
  });

  it('reports the routes Accepted, and NotAllowedByListeners where the listener allows only HTTPRoutes', async () => {
    const echo = await scenario.status<RouteStatus>('GRPCRoute', 'default', 'echo');
    const conditions = Object.fromEntries(echo.parents[0]!.conditions.map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ Accepted: 'True', ResolvedRefs: 'True' });
    const refused = await scenario.status<RouteStatus>('GRPCRoute', 'default', 'refused');
    expect(refused.parents[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'NotAllowedByListeners',
    });
    const gateway = await scenario.status<{ listeners: { name: string; attachedRoutes: number }[] }>(
      'Gateway',
      'default',
      'gw',
    );
    expect(gateway.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['grpc', 3],
      ['http-only', 0],
      ['grpcs', 1],
    ]);
  });
});

interface RouteStatus {
  parents: { conditions: { type: string; status: string; reason: string; message: string }[] }[];
}
