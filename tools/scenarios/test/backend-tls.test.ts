import { constants } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caConfigMapYAML,
  createTestCA,
  eventually,
  freePort,
  GrpcEchoClient,
  listenOnFreePort,
  startGrpcEcho,
  tlsSecretYAML,
  type GrpcEchoServer,
} from '@eg/testing';
import { gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// BackendTLSPolicy through a real Envoy: Envoy speaks TLS to an HTTPS backend (a node:https server that reports
// the SNI it was asked for), trusts only the policy's CA and checks the certificate's names; an unusable CA
// refuses traffic and says so in the policy's status, and recovers once the CA appears. A second backend
// demands a client certificate, which Envoy presents from the Gateway's `spec.tls.backend`.

const HOST = 'backend-tls.example.com';

/** A Service named `name` whose one port (`https`, 443) is the HTTPS backend. */
function service(name: string, port: number): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec: { ports: [{ name: https, port: 443, targetPort: ${port} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: default, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints: [{ addresses: [127.0.0.1] }]
ports: [{ name: https, port: ${port} }]
---
`;
}

function policy(name: string, target: string, hostname: string, caConfigMap: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: { name: ${name}, namespace: default }
spec:
  targetRefs: [{ group: "", kind: Service, name: ${target} }]
  validation:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: ${caConfigMap} }]
    hostname: ${hostname}
---
`;
}

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: tls-backends, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /verified } }]
      backendRefs: [{ name: verified, port: 443 }]
    - matches: [{ path: { value: /other-ca } }]
      backendRefs: [{ name: other-ca, port: 443 }]
    - matches: [{ path: { value: /other-host } }]
      backendRefs: [{ name: other-host, port: 443 }]
    - matches: [{ path: { value: /late-ca } }]
      backendRefs: [{ name: late-ca, port: 443 }]
    - matches: [{ path: { value: /mutual } }]
      backendRefs: [{ name: mutual, port: 443 }]
`;

/** A GRPCRoute to a gRPC backend that only speaks TLS (HTTP/2 negotiated by ALPN). */
const GRPC_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: grpc-tls, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [grpc.example.com]
  rules: [{ backendRefs: [{ name: grpc-tls, port: 443 }] }]
---
`;

/** The Gateway with the client certificate Envoy presents to TLS backends. */
const GATEWAY_TLS = '  tls: { backend: { clientCertificateRef: { name: gateway-client } } }\n  listeners:';

interface Answer {
  readonly sni: string | false | null;
  readonly path: string;
  /** The CN of the client certificate, when the backend asked for one. */
  readonly client?: string | string[];
}

type Ancestors = { ancestors: { conditions: { type: string; status: string; reason: string }[] }[] };

describe('scenario: BackendTLSPolicy', () => {
  let scenario: Scenario;
  let gw: GatewayClient;
  let backend: Server;
  let mutualBackend: Server;
  let grpcBackend: GrpcEchoServer;
  let backendCA: string;

  const conditions = async (name: string) =>
    (await scenario.status<Ancestors>('BackendTLSPolicy', 'default', name)).ancestors[0]?.conditions ?? [];
  const send = (path: string) => gw.send(path, { host: HOST });

  beforeAll(async () => {
    const ca = await createTestCA('backend-ca');
    const otherCA = await createTestCA('other-ca');
    backendCA = ca.cert;
    const pair = await ca.issue(['abc.example.com', 'other.example.com']);
    // No session tickets: a resumed TLS session would not report the SNI (Envoy resumes sessions).
    const noTickets = constants.SSL_OP_NO_TICKET;
    backend = createServer({ cert: pair.cert, key: pair.key, secureOptions: noTickets }, (req, res) => {
      const answer: Answer = { sni: (req.socket as TLSSocket).servername, path: req.url ?? '' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    const port = await listenOnFreePort(backend);
    // Lets in only clients with a certificate from the client CA, and says whose it was.
    const clientCA = await createTestCA('client-ca');
    const gatewayClient = await clientCA.issue(['envoy.gateway.example.com']);
    mutualBackend = createServer(
      { ...pair, secureOptions: noTickets, ca: clientCA.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const answer: Answer = {
          sni: socket.servername,
          path: req.url ?? '',
          client: socket.getPeerCertificate().subject.CN,
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      },
    );
    const mutualPort = await listenOnFreePort(mutualBackend);
    grpcBackend = await startGrpcEcho('grpc-tls', { 'echo.Echo': ['Ping'] }, pair);

    scenario = await startScenario();
    gw = new GatewayClient(await freePort());
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }).replace('  listeners:', GATEWAY_TLS) +
        '---\n' +
        ['verified', 'other-ca', 'other-host', 'late-ca'].map((s) => service(s, port)).join('') +
        service('mutual', mutualPort) +
        service('grpc-tls', grpcBackend.port) +
        tlsSecretYAML('default', 'gateway-client', gatewayClient) +
        '---\n',
    );
    await scenario.apply(
      'policies.yaml',
      caConfigMapYAML('default', 'backend-ca', ca.cert) +
        '---\n' +
        caConfigMapYAML('default', 'other-ca', otherCA.cert) +
        '---\n' +
        policy('verified', 'verified', 'abc.example.com', 'backend-ca') +
        policy('other-ca', 'other-ca', 'abc.example.com', 'other-ca') +
        policy('other-host', 'other-host', 'mismatch.example.com', 'backend-ca') +
        policy('late-ca', 'late-ca', 'other.example.com', 'late-ca') +
        policy('mutual', 'mutual', 'abc.example.com', 'backend-ca') +
        policy('grpc-tls', 'grpc-tls', 'abc.example.com', 'backend-ca'),
    );
    await scenario.apply('route.yaml', ROUTE + '---\n' + GRPC_ROUTE);
    await gw.until('/verified', { host: HOST }, (a) => expect(a.status).toBe(200));
  });

  afterAll(async () => {
    await scenario?.stop();
    await new Promise((resolve) => backend?.close(resolve));
    await new Promise((resolve) => mutualBackend?.close(resolve));
    await grpcBackend?.stop();
  });

  it('speaks TLS to the backend with the policy hostname as SNI', async () => {
    const answer = await send('/verified/x');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ sni: 'abc.example.com', path: '/verified/x' });
    expect(await conditions('verified')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted' }),
      expect.objectContaining({ type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }),
    ]);
  });

  it('refuses a backend whose certificate another CA signed, or that does not carry the hostname', async () => {
    for (const path of ['/other-ca', '/other-host']) {
      const answer = await send(path);
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.body).not.toContain('"sni"');
    }
    // A mismatch shows at run time only: both policies are valid.
    for (const name of ['other-ca', 'other-host']) {
      expect(await conditions(name)).toEqual([
        expect.objectContaining({ type: 'Accepted', status: 'True' }),
        expect.objectContaining({ type: 'ResolvedRefs', status: 'True' }),
      ]);
    }
  });

  it("presents the Gateway's client certificate to a backend that asks for one", async () => {
    const answer = await send('/mutual');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      sni: 'abc.example.com',
      path: '/mutual',
      client: 'envoy.gateway.example.com',
    });
    const gateway = await scenario.status<{ conditions: { type: string; status: string }[] }>(
      'Gateway',
      'default',
      'gw',
    );
    expect(gateway.conditions).toContainEqual(expect.objectContaining({ type: 'ResolvedRefs', status: 'True' }));
  });

  it('speaks TLS with HTTP/2 to a gRPC backend behind a GRPCRoute', async () => {
    const client = new GrpcEchoClient(`127.0.0.1:${gw.port}`);
    try {
      const { value } = await eventually(async () => {
        const result = await client.call('/echo.Echo/Ping', { authority: 'grpc.example.com' });
        expect(result.code).toBe(0);
        return result;
      });
      expect(value.reply).toMatchObject({ server: 'grpc-tls', path: '/echo.Echo/Ping' });
    } finally {
      client.close();
    }
  });

  it('answers 500 while the CA ConfigMap is missing, says so, and serves once it is created', async () => {
    expect((await send('/late-ca')).status).toBe(500);
    expect(await conditions('late-ca')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' }),
      expect.objectContaining({ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCACertificateRef' }),
    ]);
    await scenario.apply('late-ca.yaml', caConfigMapYAML('default', 'late-ca', backendCA));
    const answer = await gw.until('/late-ca', { host: HOST }, (a) => expect(a.status).toBe(200));
    expect(JSON.parse(answer.body)).toEqual({ sni: 'other.example.com', path: '/late-ca' });
    await eventually(async () =>
      expect(await conditions('late-ca')).toEqual([
        expect.objectContaining({ type: 'Accepted', status: 'True' }),
        expect.objectContaining({ type: 'ResolvedRefs', status: 'True' }),
      ]),
    );
  });
});
