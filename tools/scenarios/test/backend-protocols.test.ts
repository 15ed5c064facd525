import { createServer, type Http2Server } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenOnFreePort } from '@eg/testing';
import { gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// The protocol Envoy speaks to a Service port follows its appProtocol: `kubernetes.io/h2c` means HTTP/2 without
// TLS. The backend is a node:http2 server that only speaks h2c (prior knowledge) and says which version it got.

const HOST = 'protocols.example.com';

function resources(port: number): string {
  return `apiVersion: v1
kind: Service
metadata: { name: h2c-only, namespace: default }
spec:
  ports:
    - { name: h2c, port: 8081, targetPort: ${port}, appProtocol: kubernetes.io/h2c }
    - { name: http, port: 8080, targetPort: ${port} }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: h2c-only-1, namespace: default, labels: { kubernetes.io/service-name: h2c-only } }
addressType: IPv4
endpoints: [{ addresses: [127.0.0.1] }]
ports: [{ name: h2c, port: ${port} }, { name: http, port: ${port} }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: protocols, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /h2c } }]
      backendRefs: [{ name: h2c-only, port: 8081 }]
    - matches: [{ path: { value: /http1 } }]
      backendRefs: [{ name: h2c-only, port: 8080 }]
`;
}

describe('scenario: backend protocols', () => {
  let scenario: Scenario;
  let gw: GatewayClient;
  let backend: Http2Server;

  beforeAll(async () => {
    backend = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ httpVersion: req.httpVersion, path: req.url }));
    });
    const backendPort = await listenOnFreePort(backend);
    scenario = await startScenario();
    gw = new GatewayClient(await freePort());
    await scenario.apply('gateway.yaml', gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }));
    await scenario.apply('routes.yaml', resources(backendPort));
    await gw.until('/h2c', { host: HOST }, (a) => expect(a.status).toBe(200));
  });

  afterAll(async () => {
    await scenario?.stop();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('speaks HTTP/2 without TLS to a port whose appProtocol is kubernetes.io/h2c', async () => {
    const answer = await gw.send('/h2c/x', { host: HOST });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ httpVersion: '2.0', path: '/h2c/x' });
  });

  it('speaks HTTP/1.1 to the same server through a port without it, which the h2c-only server refuses', async () => {
    const answer = await gw.send('/http1', { host: HOST });
    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(answer.body).not.toContain('httpVersion');
  });
});
