import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient, type GatewayAnswer } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// The HTTPRoute CORS filter through a real Envoy: preflights end at the gateway with the Access-Control-* headers
// the route allows, actual requests reach the backend and carry them back, origins that are not allowed get none.

const HOST = 'cors.example.com';
const B = '{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }';

const ROUTES = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: cors, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /listed } }]
      filters:
        - type: CORS
          cors:
            allowOrigins: ["https://www.foo.com", "https://*.bar.com"]
            allowMethods: [GET, OPTIONS]
            allowHeaders: [x-header-1, x-header-2]
            exposeHeaders: [x-header-3, x-header-4]
            allowCredentials: true
            maxAge: 3600
      backendRefs: [${B}]
    - matches: [{ path: { value: /any-method } }]
      filters: [{ type: CORS, cors: { allowOrigins: ["https://www.foo.com"], allowMethods: ["*"] } }]
      backendRefs: [${B}]
    - matches: [{ path: { value: /any-origin } }]
      filters: [{ type: CORS, cors: { allowOrigins: ["*"], allowMethods: [PUT] } }]
      backendRefs: [${B}]
    - matches: [{ path: { value: /wildcards-with-credentials } }]
      filters:
        - type: CORS
          cors: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"], allowCredentials: true }
      backendRefs: [${B}]
    - matches: [{ path: { value: /wildcards } }]
      filters: [{ type: CORS, cors: { allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"] } }]
      backendRefs: [${B}]
    - matches: [{ path: { value: /plain } }]
      backendRefs: [${B}]
`;

/** Envoy Gateway's SecurityPolicy with cors next to jwt: preflights carry no token, so CORS must answer first. */
function guarded(jwks: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: guarded, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /guarded } }]
      backendRefs: [${B}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: guarded, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: guarded }]
  cors:
    allowOrigins: ["https://*.example.com"]
    allowMethods: [GET, POST]
    allowHeaders: [authorization]
    maxAge: 10m
  jwt:
    providers: [{ name: local, localJWKS: { type: Inline, inline: '${jwks}' } }]
`;
}

function keySet(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] });
}

function preflight(origin: string, method: string, headers?: string) {
  return {
    host: HOST,
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers !== undefined && { 'access-control-request-headers': headers }),
    },
  };
}

const header = (answer: GatewayAnswer, name: string) => answer.headers[name];
/** A comma-separated header as a sorted list, so the order and spacing Envoy writes do not matter. */
const items = (answer: GatewayAnswer, name: string) =>
  String(answer.headers[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .sort();

describe('scenario: HTTPRoute CORS filter', () => {
  let scenario: Scenario;
  let gw: GatewayClient;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1'] });
    gw = new GatewayClient(await freePort());
    await scenario.apply(
      'gateway.yaml',
      [
        gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }),
        backendYAML('v1', 'default', scenario.backendPorts['v1']!),
      ].join('---\n'),
    );
    await scenario.apply('routes.yaml', ROUTES);
    await scenario.apply('guarded.yaml', guarded(keySet()));
    await gw.until('/listed', preflight('https://www.foo.com', 'GET'), (a) =>
      expect(header(a, 'access-control-allow-origin')).toBe('https://www.foo.com'),
    );
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('answers a preflight from a listed origin itself, with every header the route allows', async () => {
    for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com']) {
      const answer = await gw.send('/listed', preflight(origin, 'GET', 'x-header-1, x-header-2'));
      expect(answer.status).toBe(200);
      expect(answer.echo).toBeUndefined();
      expect(header(answer, 'access-control-allow-origin')).toBe(origin);
      expect(items(answer, 'access-control-allow-methods')).toEqual(['GET', 'OPTIONS']);
      expect(items(answer, 'access-control-allow-headers')).toEqual(['x-header-1', 'x-header-2']);
      expect(items(answer, 'access-control-expose-headers')).toEqual(['x-header-3', 'x-header-4']);
      expect(header(answer, 'access-control-max-age')).toBe('3600');
      expect(header(answer, 'access-control-allow-credentials')).toBe('true');
    }
  });

  it('answers a preflight from an origin that is not allowed without Access-Control-Allow-Origin', async () => {
    for (const origin of ['https://foobar.com', 'http://www.foo.com', 'https://www.foo.com:8443', 'https://bar.com']) {
      const answer = await gw.send('/listed', preflight(origin, 'GET'));
      expect(answer.status).toBe(200);
      expect(answer.echo).toBeUndefined();
      expect(header(answer, 'access-control-allow-origin')).toBeUndefined();
    }
  });

  it('passes actual requests to the backend and adds the CORS headers only for allowed origins', async () => {
    const allowed = await gw.send('/listed', { host: HOST, headers: { origin: 'https://www.bar.com' } });
    expect(allowed.echo?.pod).toBe('v1');
    expect(header(allowed, 'access-control-allow-origin')).toBe('https://www.bar.com');
    expect(header(allowed, 'access-control-allow-credentials')).toBe('true');
    expect(items(allowed, 'access-control-expose-headers')).toEqual(['x-header-3', 'x-header-4']);

    const refused = await gw.send('/listed', { host: HOST, headers: { origin: 'https://foobar.com' } });
    expect(refused.echo?.pod).toBe('v1');
    expect(header(refused, 'access-control-allow-origin')).toBeUndefined();

    const sameOrigin = await gw.send('/listed', { host: HOST });
    expect(sameOrigin.echo?.pod).toBe('v1');
    expect(header(sameOrigin, 'access-control-allow-origin')).toBeUndefined();
  });

  it('allows any method with `*` and leaves out credentials unless asked', async () => {
    const answer = await gw.send('/any-method', preflight('https://www.foo.com', 'POST'));
    expect(header(answer, 'access-control-allow-origin')).toBe('https://www.foo.com');
    expect(['POST', '*']).toContain(header(answer, 'access-control-allow-methods'));
    expect(header(answer, 'access-control-allow-credentials')).toBeUndefined();
  });

  it('allows any origin, with or without a port, for `*`', async () => {
    for (const origin of ['https://foobar.com', 'https://foobar.com:12345', 'http://localhost:3000']) {
      const answer = await gw.send('/any-origin', preflight(origin, 'PUT'));
      expect([origin, '*']).toContain(header(answer, 'access-control-allow-origin'));
      expect(header(answer, 'access-control-allow-methods')).toBe('PUT');
      expect(header(answer, 'access-control-allow-credentials')).toBeUndefined();
      const actual = await gw.send('/any-origin', { host: HOST, method: 'PUT', headers: { origin } });
      expect(actual.echo?.method).toBe('PUT');
      expect([origin, '*']).toContain(header(actual, 'access-control-allow-origin'));
    }
  });

  it('echoes the origin, method and headers instead of `*` when credentials are allowed', async () => {
    const origin = 'https://other.foo.com';
    const answer = await gw.send('/wildcards-with-credentials', preflight(origin, 'PUT', 'x-header-1, x-header-2'));
    expect(header(answer, 'access-control-allow-origin')).toBe(origin);
    expect(header(answer, 'access-control-allow-methods')).toBe('PUT');
    expect(items(answer, 'access-control-allow-headers')).toEqual(['x-header-1', 'x-header-2']);
    expect(header(answer, 'access-control-allow-credentials')).toBe('true');

    const actual = await gw.send('/wildcards-with-credentials', { host: HOST, headers: { origin } });
    expect(actual.echo?.pod).toBe('v1');
    expect(header(actual, 'access-control-allow-origin')).toBe(origin);
    expect(header(actual, 'access-control-allow-credentials')).toBe('true');

    const open = await gw.send('/wildcards', preflight(origin, 'PUT', 'x-header-1, x-header-2'));
    expect([origin, '*']).toContain(header(open, 'access-control-allow-origin'));
    expect(['PUT', '*']).toContain(header(open, 'access-control-allow-methods'));
    expect(header(open, 'access-control-allow-credentials')).toBeUndefined();
  });

  it("answers preflights for a SecurityPolicy's cors before its JWT check, which still guards actual requests", async () => {
    const origin = 'https://app.example.com';
    const answer = await gw.until('/guarded', preflight(origin, 'POST', 'authorization'), (a) =>
      expect(header(a, 'access-control-allow-origin')).toBe(origin),
    );
    expect(answer.status).toBe(200);
    expect(items(answer, 'access-control-allow-methods')).toEqual(['GET', 'POST']);
    expect(header(answer, 'access-control-allow-headers')).toBe('authorization');
    expect(header(answer, 'access-control-max-age')).toBe('600');
    expect(header(answer, 'access-control-allow-credentials')).toBeUndefined();

    const refused = await gw.send('/guarded', preflight('https://example.org', 'POST'));
    expect(header(refused, 'access-control-allow-origin')).toBeUndefined();

    const withoutToken = await gw.send('/guarded', { host: HOST, headers: { origin } });
    expect(withoutToken.status).toBe(401);
    expect(withoutToken.echo).toBeUndefined();
  });

  it('leaves routes without the filter alone: their preflights reach the backend', async () => {
    const answer = await gw.send('/plain', preflight('https://www.foo.com', 'GET'));
    expect(answer.echo?.method).toBe('OPTIONS');
    expect(header(answer, 'access-control-allow-origin')).toBeUndefined();
  });
});
