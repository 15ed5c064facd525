import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCA,
  eventually,
  freePort,
  httpsRequest,
  tlsSecretYAML,
  type HttpsAnswer,
  type TestCA,
} from '@eg/testing';
import { GATEWAY_CLASS_YAML } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// HTTPS listeners through a real Envoy: several listeners on one port chosen by SNI, several certificates on
// one listener, a listener with a bad certificate that stays dark while the others serve, a cross-namespace
// Secret that needs a ReferenceGrant, and a certificate renewed in place (SDS).

const gatewayYaml = (port: number, tlsPort: number): string => `
${GATEWAY_CLASS_YAML}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  listeners:
    - { name: https-a, protocol: HTTPS, port: ${port}, hostname: a.example.com, tls: { certificateRefs: [{ name: cert-a }] } }
    - name: https-b
      protocol: HTTPS
      port: ${port}
      hostname: b.example.com
      tls: { certificateRefs: [{ name: cert-b-ec }, { name: cert-b-rsa }] }
    - { name: https-bad, protocol: HTTPS, port: ${port}, hostname: c.example.com, tls: { certificateRefs: [{ name: not-there }] } }
    - name: https-cross
      protocol: HTTPS
      port: ${port}
      hostname: d.example.com
      tls: { certificateRefs: [{ name: cert-d, namespace: certs }] }
    - name: tls-terminate
      protocol: TLS
      port: ${tlsPort}
      hostname: tls.example.com
      tls: { mode: Terminate, certificateRefs: [{ name: cert-tls }] }
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: { name: terminated, namespace: default }
spec:
  parentRefs: [{ name: eg, sectionName: tls-terminate }]
  hostnames: [tls.example.com]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: backend }] }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: backend, namespace: default }
spec: { endpoints: [{ ip: { address: 127.0.0.1, port: BACKEND_PORT } }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: backend, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: backend }] }]
`;

const grantYaml = `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: gateways-read-certs, namespace: certs }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: Gateway, namespace: default }]
  to: [{ group: "", kind: Secret }]
`;

type ListenerStatus = {
  name: string;
  attachedRoutes: number;
  conditions: { type: string; status: string; reason: string }[];
};

describe('scenario: HTTPS listeners', () => {
  let scenario: Scenario;
  let ca: TestCA;
  let port: number;
  let tlsPort: number;
  let otherSecrets: string[];
  const get = (servername: string, sigalgs?: string): Promise<HttpsAnswer> =>
    httpsRequest('127.0.0.1', port, { servername, ca: ca.cert, path: '/get', ...(sigalgs && { sigalgs }) });

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['backend'] });
    port = await freePort();
    tlsPort = await freePort();
    ca = await createTestCA();
    otherSecrets = [
      tlsSecretYAML('default', 'cert-b-ec', await ca.issue(['b.example.com'])),
      tlsSecretYAML('default', 'cert-b-rsa', await ca.issue(['b.example.com', 'rsa.b.example.com'], 'rsa')),
      tlsSecretYAML('certs', 'cert-d', await ca.issue(['d.example.com'])),
      tlsSecretYAML('default', 'cert-tls', await ca.issue(['tls.example.com'])),
    ];
    const certA = tlsSecretYAML('default', 'cert-a', await ca.issue(['a.example.com']));
    await scenario.apply('secrets.yaml', [certA, ...otherSecrets].join('---\n'));
    await scenario.apply(
      'gateway.yaml',
      gatewayYaml(port, tlsPort).replace('BACKEND_PORT', String(scenario.backendPorts['backend'])),
    );
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('serves each hostname with its own certificate, chosen by SNI', async () => {
    const { value: a } = await eventually(() => get('a.example.com'), { timeoutMs: 30_000 });
    expect(a.status).toBe(200);
    expect(a.peerSubjectAltName).toBe('DNS:a.example.com');
    expect(JSON.parse(a.body)).toMatchObject({ pod: 'backend', host: 'a.example.com', path: '/get' });
    const b = await get('b.example.com');
    expect(b.status).toBe(200);
    expect(b.peerSubjectAltName).toContain('DNS:b.example.com');
  });

  it('terminates TLS on a TLS listener and proxies the plaintext bytes of a TLSRoute', async () => {
    const { value } = await eventually(
      () => httpsRequest('127.0.0.1', tlsPort, { servername: 'tls.example.com', ca: ca.cert, path: '/plain' }),
      { timeoutMs: 30_000 },
    );
    expect(value.peerSubjectAltName).toBe('DNS:tls.example.com');
    // The echo backend saw a plain HTTP/1.1 request: Envoy unwrapped TLS and forwarded the bytes as they were.
    expect(JSON.parse(value.body)).toMatchObject({ pod: 'backend', path: '/plain', proto: 'HTTP/1.1' });
  });

  it('picks among a listener’s certificates the one the client can verify', async () => {
    const ec = await get('b.example.com', 'ecdsa_secp256r1_sha256');
    expect(ec.peerKeyType).toBe('EC');
    const rsa = await get('b.example.com', 'rsa_pss_rsae_sha256:rsa_pkcs1_sha256');
    expect(rsa.peerKeyType).toBe('RSA');
    expect(rsa.peerSubjectAltName).toContain('DNS:rsa.b.example.com');
  });

  it('keeps a listener with a missing certificate dark and reports InvalidCertificateRef', async () => {
    await expect(get('c.example.com')).rejects.toThrow();
    const status = await scenario.status<{ listeners: ListenerStatus[] }>('Gateway', 'default', 'eg');
    const bad = status.listeners.find((l) => l.name === 'https-bad')!;
    expect(bad.conditions.find((c) => c.type === 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'InvalidCertificateRef',
    });
    expect(bad.conditions.find((c) => c.type === 'Programmed')?.status).toBe('False');
    expect(bad.attachedRoutes).toBe(1);
    const good = status.listeners.find((l) => l.name === 'https-a')!;
    expect(good.conditions.every((c) => c.status === 'True')).toBe(true);
  });

  it('needs a ReferenceGrant for a Secret in another namespace, and serves once it exists', async () => {
    const status = await scenario.status<{ listeners: ListenerStatus[] }>('Gateway', 'default', 'eg');
    const cross = status.listeners.find((l) => l.name === 'https-cross')!;
    expect(cross.conditions.find((c) => c.type === 'ResolvedRefs')?.reason).toBe('RefNotPermitted');
    await expect(get('d.example.com')).rejects.toThrow();

    await scenario.apply('grant.yaml', grantYaml);
    const { value: d } = await eventually(() => get('d.example.com'), { timeoutMs: 30_000 });
    expect(d.status).toBe(200);
    expect(d.peerSubjectAltName).toBe('DNS:d.example.com');
  });

  it('serves a renewed certificate (an SDS update) while the other hostnames keep theirs', async () => {
    const renewed = await ca.issue(['a.example.com', 'renewed.a.example.com']);
    await scenario.apply('secrets.yaml', [tlsSecretYAML('default', 'cert-a', renewed), ...otherSecrets].join('---\n'));
    const { value: a } = await eventually(
      async () => {
        const answer = await get('a.example.com');
        expect(answer.peerSubjectAltName).toContain('renewed.a.example.com');
        return answer;
      },
      { timeoutMs: 30_000 },
    );
    expect(a.status).toBe(200);
    expect((await get('b.example.com')).status).toBe(200);
  });
});
