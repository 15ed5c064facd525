import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  GrpcEchoClient,
  listenOnFreePort,
  startGrpcEcho,
  type GrpcEchoServer,
} from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// SecurityPolicy jwt through a real Envoy (SCENARIOS.md 8): Envoy fetches the key set from a JWKS server this
// test runs, and checks RS256 tokens the test signs with node:crypto, on HTTPRoutes and on a GRPCRoute.

const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'api.example.com';
const HOST = 'jwt.example.com';
const GRPC_HOST = 'grpc.jwt.example.com';
const UNAUTHENTICATED = 16;

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public half as a JSON Web Key. */
  readonly jwk: Record<string, unknown>;
}

function signingKey(kid: string): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JWT; `claims` override the defaults (our issuer and audience, valid for an hour). */
function token(key: SigningKey, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: now, exp: now + 3600, ...claims };
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${base64url(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

function route(name: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /${name} } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }]
---
`;
}

const GRPC_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: grpc, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${GRPC_HOST}]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: g }] }]
---
`;

function policy(name: string, target: string, jwt: unknown, extra = '', kind = 'HTTPRoute'): string {
  return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: ${name}, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: ${kind}, name: ${target} }]
  jwt: ${JSON.stringify(jwt)}
${extra}---
`;
}

describe('scenario: JWT authentication', () => {
  const remoteKey = signingKey('remote-1');
  const localKey = signingKey('local-1');
  let jwks: Server;
  let jwksURL: string;
  let scenario: Scenario;
  let gateway: GatewayClient;
  let grpcEcho: GrpcEchoServer;
  let grpcClient: GrpcEchoClient;

  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [remoteKey.jwk] }));
    });
    jwksURL = `http://127.0.0.1:${await listenOnFreePort(jwks)}/jwks.json`;

    scenario = await startScenario({ backends: ['v1'] });
    grpcEcho = await startGrpcEcho('g', { 'echo.Echo': ['Ping'], 'yages.Echo': ['Ping'] });
    const port = await freePort();
    gateway = new GatewayClient(port);
    grpcClient = new GrpcEchoClient(`127.0.0.1:${port}`);
    const remote = {
      name: 'remote',
      issuer: ISSUER,
      audiences: [AUDIENCE],
      remoteJWKS: { uri: jwksURL, cacheDuration: '10m' },
      claimToHeaders: [
        { header: 'x-jwt-sub', claim: 'sub' },
        { header: 'x-jwt-team', claim: 'org.team' },
      ],
    };
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML({ name: 'gw', namespace: 'default', port }) +
        '---\n' +
        backendYAML('v1', 'default', scenario.backendPorts['v1']!) +
        '---\n' +
        backendYAML('g', 'default', grpcEcho.port),
    );
    await scenario.apply(
      'routes.yaml',
      ['foo', 'bar', 'optional', 'local', 'broken', 'basic'].map(route).join('') + GRPC_ROUTE,
    );
    await scenario.apply(
      'policies.yaml',
      [
        policy('remote', 'foo', { providers: [remote] }),
        policy('optional', 'optional', { optional: true, providers: [remote] }),
        policy('local', 'local', {
          providers: [
            { name: 'inline', localJWKS: { type: 'Inline', inline: JSON.stringify({ keys: [localKey.jwk] }) } },
          ],
        }),
        policy('broken', 'broken', { providers: [{ name: 'inline', localJWKS: { inline: '{"keys": "none"}' } }] }),
        // Refused at load (basicAuth is not translated yet), yet kept so that its route is not left open.
        policy('basic', 'basic', { providers: [remote] }, '  basicAuth: { users: { name: htpasswd } }\n'),
        policy('grpc', 'grpc', { providers: [remote] }, '', 'GRPCRoute'),
      ].join(''),
    );
  });

  afterAll(async () => {
    grpcClient?.close();
    await grpcEcho?.stop();
    await scenario?.stop();
    await new Promise((done) => jwks?.close(done));
  });

  const send = (path: string, headers: Record<string, string> = {}) => gateway.send(path, { host: HOST, headers });

  it('answers 401 without a token, as Envoy does, and lets a valid token through with its claims as headers', async () => {
    const missing = await gateway.until('/foo', { host: HOST }, (a) => expect(a.status).toBe(401));
    expect(missing.body).toBe('Jwt is missing');
    expect(missing.headers['www-authenticate']).toBe(`Bearer realm="http://${HOST}/foo"`);

    const valid = await send('/foo', bearer(token(remoteKey, { org: { team: 'payments' } })));
    expect(valid.status).toBe(200);
    expect(valid.echo?.headers['X-Jwt-Sub']).toEqual(['alice']);
    expect(valid.echo?.headers['X-Jwt-Team']).toEqual(['payments']);
  });

  it('refuses expired tokens, other issuers and audiences, bad signatures and keys it does not know', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = async (jwt: string) => {
      const answer = await send('/foo', bearer(jwt));
      return [answer.status, answer.body];
    };
    expect(await refused(token(remoteKey, { exp: now - 120 }))).toEqual([401, 'Jwt is expired']);
    expect(await refused(token(remoteKey, { iss: 'https://elsewhere.example.com' }))).toEqual([
      401,
      'Jwt issuer is not configured',
    ]);
    // Envoy answers a token for another audience with 403: it is authentic, just not for this API.
    expect(await refused(token(remoteKey, { aud: 'other.example.com' }))).toEqual([
      403,
      'Audiences in Jwt are not allowed',
    ]);
    const [head, body] = token(remoteKey).split('.');
    const forged = `${head}.${body}.${token(localKey).split('.')[2]}`;
    expect(await refused(forged)).toEqual([401, 'Jwt verification fails']);
    expect((await refused(token(localKey)))[0]).toBe(401);
  });

  it('leaves routes without a policy open', async () => {
    expect((await send('/bar')).status).toBe(200);
  });

  it('lets requests without a token through an optional policy, but not bad tokens', async () => {
    await gateway.until('/optional', { host: HOST }, (a) => expect(a.status).toBe(200));
    expect((await send('/optional', bearer(token(remoteKey)))).status).toBe(200);
    expect((await send('/optional', bearer(token(localKey)))).status).toBe(401);
  });

  it('checks tokens against an inline key set', async () => {
    await gateway.until('/local', { host: HOST, headers: bearer(token(localKey)) }, (a) => expect(a.status).toBe(200));
    expect((await send('/local', bearer(token(remoteKey)))).status).toBe(401);
    expect((await send('/local')).status).toBe(401);
  });

  it('answers gRPC calls without a token UNAUTHENTICATED "Jwt is missing", and passes them with one', async () => {
    const call = (metadata: Record<string, string> = {}) =>
      grpcClient.call('/echo.Echo/Ping', { authority: GRPC_HOST, metadata });
    await eventually(async () => expect(await call()).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' }), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const passed = await call(bearer(token(remoteKey)));
    expect([passed.code, passed.reply?.server, passed.reply?.metadata['x-jwt-sub']]).toEqual([0, 'g', 'alice']);
    expect((await call(bearer(token(localKey)))).code).toBe(UNAUTHENTICATED);
  });

  it('reports Accepted policies, and Invalid ones naming the field while only their routes answer 500', async () => {
    type Condition = { type: string; status: string; reason: string; message: string };
    type Ancestors = { ancestors: { conditions: Condition[] }[] };
    const conditions = async (name: string) => {
      const status = await scenario.status<Ancestors>('SecurityPolicy', 'default', name);
      return status.ancestors.flatMap((a) => a.conditions);
    };
    for (const name of ['remote', 'optional', 'local', 'grpc']) {
      expect(await conditions(name)).toEqual([
        expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted' }),
      ]);
    }
    expect(await conditions('broken')).toEqual([
      expect.objectContaining({
        type: 'Accepted',
        status: 'False',
        reason: 'Invalid',
        message: expect.stringContaining('spec.jwt.providers[0].localJWKS.inline'),
      }),
    ]);
    expect(await conditions('basic')).toEqual([
      expect.objectContaining({
        reason: 'Invalid',
        message: 'Invalid spec.basicAuth: is not supported yet (only jwt and cors are translated).',
      }),
    ]);
    await gateway.until('/broken', { host: HOST }, (a) => expect(a.status).toBe(500));
    expect((await send('/basic', bearer(token(remoteKey)))).status).toBe(500);
    expect((await send('/bar')).status).toBe(200);
    expect((await send('/foo', bearer(token(remoteKey)))).status).toBe(200);
  });

  it('serves examples/jwt: /foo and the GRPCRoute need a token from the JWKS, /bar is open', async () => {
    const port = await freePort();
    const example = await readFile(resolve(import.meta.dirname, '../../../examples/jwt/jwt.yaml'), 'utf8');
    await scenario.apply(
      'example.yaml',
      example
        .replace('port: 8888', `port: ${port}`)
        .replace('port: 3000', `port: ${scenario.backendPorts['v1']}`)
        .replace('port: 9000', `port: ${grpcEcho.port}`)
        .replaceAll(/uri: https:\/\/raw\.githubusercontent\.com\S+/g, `uri: ${jwksURL}`),
    );
    const client = new GatewayClient(port);
    await client.until('/foo', { host: 'www.example.com' }, (a) => expect(a.status).toBe(401));
    const authorized = await client.send('/foo', { host: 'www.example.com', headers: bearer(token(remoteKey)) });
    expect(authorized.status).toBe(200);
    expect((await client.send('/bar', { host: 'www.example.com' })).status).toBe(200);
    const grpc = new GrpcEchoClient(`127.0.0.1:${port}`);
    try {
      const ping = (metadata: Record<string, string> = {}) =>
        grpc.call('/yages.Echo/Ping', { authority: 'grpc-example.com', metadata });
      expect(await ping()).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
      expect((await ping(bearer(token(remoteKey)))).code).toBe(0);
    } finally {
      grpc.close();
    }
  });
});
