import { readFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { resolve } from 'node:path';
import { connect as tlsConnect, createServer as createTLSServer, type Server as TLSServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdpEchoServer, type UdpEchoServer } from '@eg/echo-backend';
import {
  createTestCA,
  eventually,
  freePort,
  httpRequest,
  httpsRequest,
  listenOnFreePort,
  tlsSecretYAML,
  udpExchange,
  type TestCA,
} from '@eg/testing';
import { startScenario, type Scenario } from '../src/scenario.ts';

// SCENARIOS.md 3: examples/l4-l7 as shipped (HTTP, HTTPS, TCP and UDP listeners on one Gateway, one Envoy),
// with its ports moved to free ones, plus a TLS passthrough listener on the HTTPS port whose TLSRoute reaches a
// TLS backend.

// On the HTTPS listener's port: Envoy picks TLS passthrough or termination by SNI on one socket.
const passthroughListener = (port: number): string => `
    - name: tls-passthrough
      protocol: TLS
      port: ${port}
      hostname: passthrough.example.com
      tls:
        mode: Passthrough`;

const passthroughYaml = (backendPort: number): string => `
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: { name: secure, namespace: default }
spec:
  parentRefs: [{ name: eg, sectionName: tls-passthrough }]
  hostnames: [passthrough.example.com]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: tls-backend }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: tls-backend, namespace: default }
spec: { endpoints: [{ ip: { address: 127.0.0.1, port: ${backendPort} } }] }
`;

/** Sends one line over a TLS connection with `servername` and returns what the server answered. */
function tlsExchange(port: number, servername: string, ca: string): Promise<{ answer: string; san: string }> {
  return new Promise((resolvePromise, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca }, () => {
      const san = socket.getPeerCertificate().subjectaltname ?? '';
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
      socket.on('end', () => resolvePromise({ answer, san }));
      socket.end('hello\n');
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS exchange timed out')));
    socket.on('error', reject);
  });
}

/** A raw HTTP/1.0 request over plain TCP, so the answer proves the bytes went through the TCP proxy. */
function rawHttp(port: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = netConnect(port, '127.0.0.1', () =>
      socket.end('GET /raw HTTP/1.0\r\nHost: tcp.example.com\r\n\r\n'),
    );
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    socket.on('end', () => resolvePromise(answer));
    socket.setTimeout(5000, () => socket.destroy(new Error('TCP exchange timed out')));
    socket.on('error', reject);
  });
}

type ListenerStatus = {
  name: string;
  attachedRoutes: number;
  supportedKinds: { kind: string }[];
  conditions: { type: string; status: string }[];
};

describe('scenario: L4 and L7 on one Gateway', () => {
  let scenario: Scenario;
  let ca: TestCA;
  let udpEcho: UdpEchoServer;
  let tlsBackend: TLSServer;
  const ports = { http: 0, https: 0, l4: 0 };

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['backend', 'foo'] });
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    ca = await createTestCA();
    udpEcho = await startUdpEchoServer({ name: 'foo', namespace: 'default', service: 'foo' }, 0);
    const backendCert = await ca.issue(['passthrough.example.com']);
    tlsBackend = createTLSServer({ cert: backendCert.cert, key: backendCert.key }, (socket) => {
      socket.once('data', () => socket.end(`tls-backend saw SNI ${socket.servername}`));
    });
    const tlsBackendPort = await listenOnFreePort(tlsBackend);

    const example = await readFile(resolve(import.meta.dirname, '../../../examples/l4-l7/gateway.yaml'), 'utf8');
    const listenerPort: Record<string, number> = { HTTP: ports.http, HTTPS: ports.https, TCP: ports.l4, UDP: ports.l4 };
    const gateway = example
      .replace(/(protocol: (HTTP|HTTPS|TCP|UDP)\n {6}port: )\d+/g, (_m, head: string, protocol: string) => {
        return `${head}${listenerPort[protocol]}`;
      })
      .replace(/( {4}port: )3000(\n {4}protocol)/, `$1${scenario.backendPorts['backend']}$2`)
      .replace('port: 3001', `port: ${scenario.backendPorts['foo']}`)
      .replace('port: 3002', `port: ${udpEcho.port}`)
      .replace('  listeners:', `  listeners:${passthroughListener(ports.https)}`);
    await scenario.apply('secret.yaml', tlsSecretYAML('default', 'https-cert', await ca.issue(['www.example.com'])));
    await scenario.apply('passthrough.yaml', passthroughYaml(tlsBackendPort));
    await scenario.apply('gateway.yaml', gateway);
  });

  afterAll(async () => {
    await scenario?.stop();
    await udpEcho?.close();
    tlsBackend?.close();
  });

  it('answers the HTTPRoute on the http listener', async () => {
    const { value } = await eventually(
      async () => {
        const res = await httpRequest(`http://127.0.0.1:${ports.http}/get`, { host: 'www.example.com' });
        expect(res.status).toBe(200);
        return res;
      },
      { timeoutMs: 30_000 },
    );
    expect(JSON.parse(value.body)).toMatchObject({ pod: 'backend', host: 'www.example.com' });
  });

  it('answers the same HTTPRoute on the https listener, terminating TLS', async () => {
    const { value } = await eventually(
      () => httpsRequest('127.0.0.1', ports.https, { servername: 'www.example.com', ca: ca.cert, path: '/secure' }),
      { timeoutMs: 30_000 },
    );
    expect(value.status).toBe(200);
    expect(value.peerSubjectAltName).toBe('DNS:www.example.com');
    expect(JSON.parse(value.body)).toMatchObject({ pod: 'backend', path: '/secure' });
  });

  it('proxies TCP connections on tcp-6000 to foo', async () => {
    const { value } = await eventually(rawHttp.bind(null, ports.l4), { timeoutMs: 30_000 });
    expect(value).toMatch(/^HTTP\/1\.[01] 200/);
    expect(value).toContain('"pod": "foo"');
  });

  it('proxies UDP datagrams on udp-6000 (the same port number) to foo', async () => {
    const { value } = await eventually(() => udpExchange('127.0.0.1', ports.l4, 'ping', 1000), { timeoutMs: 30_000 });
    expect(JSON.parse(value)).toEqual({ pod: 'foo', namespace: 'default', service: 'foo', data: 'ping' });
  });

  it('passes TLS through by SNI to a backend that terminates it itself, next to HTTPS on the same port', async () => {
    const { value } = await eventually(() => tlsExchange(ports.https, 'passthrough.example.com', ca.cert), {
      timeoutMs: 30_000,
    });
    expect(value.san).toBe('DNS:passthrough.example.com');
    expect(value.answer).toBe('tls-backend saw SNI passthrough.example.com');
    // Other names on the port reach the HTTPS listener, which terminates TLS itself.
    const https = await httpsRequest('127.0.0.1', ports.https, { servername: 'www.example.com', ca: ca.cert });
    expect(https.peerSubjectAltName).toBe('DNS:www.example.com');
  });

  it('reports every listener programmed with its route kinds and attached routes', async () => {
    const status = await scenario.status<{ listeners: ListenerStatus[] }>('Gateway', 'default', 'eg');
    const byName = Object.fromEntries(status.listeners.map((l) => [l.name, l]));
    const summary = (name: string) => ({
      kinds: byName[name]?.supportedKinds.map((k) => k.kind),
      attachedRoutes: byName[name]?.attachedRoutes,
      allTrue: byName[name]?.conditions.every((c) => c.status === 'True'),
    });
    expect(summary('http')).toEqual({ kinds: ['HTTPRoute', 'GRPCRoute'], attachedRoutes: 1, allTrue: true });
    expect(summary('https')).toEqual({ kinds: ['HTTPRoute', 'GRPCRoute'], attachedRoutes: 1, allTrue: true });
    expect(summary('tcp-6000')).toEqual({ kinds: ['TCPRoute'], attachedRoutes: 1, allTrue: true });
    expect(summary('udp-6000')).toEqual({ kinds: ['UDPRoute'], attachedRoutes: 1, allTrue: true });
    expect(summary('tls-passthrough')).toEqual({ kinds: ['TLSRoute'], attachedRoutes: 1, allTrue: true });
    for (const [kind, name] of [
      ['TCPRoute', 'foo'],
      ['UDPRoute', 'foo'],
      ['TLSRoute', 'secure'],
    ] as const) {
      type RouteStatus = { parents: { conditions: { type: string; status: string }[] }[] };
      const route = await scenario.status<RouteStatus>(kind, 'default', name);
      expect(route.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
        'Accepted=True',
        'ResolvedRefs=True',
      ]);
    }
  });
});
