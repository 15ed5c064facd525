import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caConfigMapYAML,
  createTestCA,
  eventually,
  freePort,
  httpsRequest,
  tlsSecretYAML,
  type CertificatePair,
  type TestCA,
} from '@eg/testing';
import { backendYAML, GATEWAY_CLASS_YAML } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// Client certificate validation (Gateway `spec.tls.frontend`) through a real Envoy: a port that requires a
// certificate from the Gateway's CA, a port in AllowInsecureFallback mode that asks but lets everyone in, and a
// port whose CA ConfigMap is missing, kept dark until it appears.

const HOST = 'mtls.example.com';

const gatewayYAML = (ports: {
  strict: number;
  fallback: number;
  late: number;
}) => `${GATEWAY_CLASS_YAML}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: eg
  tls:
    frontend:
      default:
        validation: { caCertificateRefs: [{ group: "", kind: ConfigMap, name: client-ca }] }
      perPort:
        - port: ${ports.fallback}
          tls:
            validation:
              caCertificateRefs: [{ group: "", kind: ConfigMap, name: client-ca }]
              mode: AllowInsecureFallback
        - port: ${ports.late}
          tls: { validation: { caCertificateRefs: [{ group: "", kind: ConfigMap, name: late-ca }] } }
  listeners:
    - { name: strict, protocol: HTTPS, port: ${ports.strict}, tls: { certificateRefs: [{ name: server }] } }
    - { name: fallback, protocol: HTTPS, port: ${ports.fallback}, tls: { certificateRefs: [{ name: server }] } }
    - { name: late, protocol: HTTPS, port: ${ports.late}, tls: { certificateRefs: [{ name: server }] } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules: [{ backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }] }]
---
`;

type GatewayStatus = {
  conditions: { type: string; status: string; reason: string }[];
  listeners: { name: string; conditions: { type: string; status: string; reason: string }[] }[];
};

describe('scenario: client certificate validation', () => {
  let scenario: Scenario;
  let serverCA: TestCA;
  let clientCA: TestCA;
  let trusted: CertificatePair;
  let stranger: CertificatePair;
  const ports = { strict: 0, fallback: 0, late: 0 };

  const get = (port: number, clientCertificate?: CertificatePair) =>
    httpsRequest('127.0.0.1', port, {
      servername: HOST,
      ca: serverCA.cert,
      ...(clientCertificate && { clientCertificate }),
    });

  beforeAll(async () => {
    serverCA = await createTestCA('server-ca');
    clientCA = await createTestCA('client-ca');
    const strangerCA = await createTestCA('stranger-ca');
    trusted = await clientCA.issue(['alice.clients.example.com']);
    stranger = await strangerCA.issue(['mallory.clients.example.com']);
    ports.strict = await freePort();
    ports.fallback = await freePort();
    ports.late = await freePort();
    scenario = await startScenario({ backends: ['v1'] });
    await scenario.apply(
      'gateway.yaml',
      gatewayYAML(ports) +
        tlsSecretYAML('default', 'server', await serverCA.issue([HOST])) +
        '---\n' +
        caConfigMapYAML('default', 'client-ca', clientCA.cert) +
        '---\n' +
        backendYAML('v1', 'default', scenario.backendPorts['v1']!),
    );
    await eventually(async () => expect((await get(ports.strict, trusted)).status).toBe(200), { timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('lets in a client with a certificate from the Gateway CA, and only such a client', async () => {
    const answer = await get(ports.strict, trusted);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ pod: 'v1' });
    await expect(get(ports.strict)).rejects.toThrow();
    await expect(get(ports.strict, stranger)).rejects.toThrow();
  });

  it('lets everyone in on an AllowInsecureFallback port, and warns on the Gateway', async () => {
    for (const client of [trusted, stranger, undefined]) {
      expect((await get(ports.fallback, client)).status).toBe(200);
    }
    const status = await scenario.status<GatewayStatus>('Gateway', 'default', 'gw');
    expect(status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'InsecureFrontendValidationMode',
        status: 'True',
        reason: 'ConfigurationChanged',
      }),
    );
  });

  it('keeps a port whose CA is missing dark, says why, and serves it once the CA appears', async () => {
    await expect(get(ports.late, trusted)).rejects.toThrow();
    const listener = async () =>
      (await scenario.status<GatewayStatus>('Gateway', 'default', 'gw')).listeners.find((l) => l.name === 'late');
    expect((await listener())?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'NoValidCACertificate' }),
        expect.objectContaining({ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCACertificateRef' }),
        expect.objectContaining({ type: 'Programmed', status: 'False' }),
      ]),
    );
    await scenario.apply('late-ca.yaml', caConfigMapYAML('default', 'late-ca', clientCA.cert));
    await eventually(async () => expect((await get(ports.late, trusted)).status).toBe(200), { timeoutMs: 30_000 });
    await expect(get(ports.late)).rejects.toThrow();
  });
});
