import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// HTTPRoute retry through a real Envoy. The echo backend fails the first `succeedAfter` requests of each `uuid`
// (with `responseCode`, or by resetting the connection), so the number of attempts Envoy made shows in the answer.

const HOST = 'retry.example.com';
const B = '{ group: gateway.envoyproxy.io, kind: Backend, name: v1 }';

const ROUTES = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: retry, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /code-500-attempts-3 } }]
      retry: { codes: [500], attempts: 3, backoff: 1ms }
      backendRefs: [${B}]
    - matches: [{ path: { value: /code-all-attempts-2 } }]
      retry: { codes: [500, 502, 503, 504], attempts: 2, backoff: 1ms }
      backendRefs: [${B}]
    - matches: [{ path: { value: /no-codes-attempts-3 } }]
      retry: { attempts: 3, backoff: 1ms }
      backendRefs: [${B}]
    - matches: [{ path: { value: /backend-timeout-attempts-2 } }]
      retry: { attempts: 2, backoff: 1ms }
      timeouts: { backendRequest: 500ms }
      backendRefs: [${B}]
    - matches: [{ path: { value: /request-timeout-wins } }]
      retry: { codes: [500], attempts: 5, backoff: 1ms }
      timeouts: { request: 1s, backendRequest: 400ms }
      backendRefs: [${B}]
    - matches: [{ path: { value: /no-retry } }]
      backendRefs: [${B}]
`;

describe('scenario: HTTPRoute retry', () => {
  let scenario: Scenario;
  let gw: GatewayClient;

  /** One request whose first `succeedAfter` attempts fail as `query` says; the status the client gets. */
  const attempt = async (path: string, succeedAfter: number, query = '') => {
    const answer = await gw.send(`${path}?uuid=${randomUUID()}&succeedAfter=${succeedAfter}${query}`, { host: HOST });
    return answer.status;
  };

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
    await gw.until('/no-retry', { host: HOST }, (a) => expect(a.echo?.pod).toBe('v1'));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('retries the listed status codes up to `attempts` times after the first try', async () => {
    expect(await attempt('/code-500-attempts-3', 2, '&responseCode=500')).toBe(200);
    expect(await attempt('/code-500-attempts-3', 3, '&responseCode=500')).toBe(200);
    expect(await attempt('/code-500-attempts-3', 4, '&responseCode=500')).toBe(500);
  });

  it('does not retry a status code that is not listed', async () => {
    expect(await attempt('/code-500-attempts-3', 1, '&responseCode=503')).toBe(503);
  });

  it('hands back the last failure when the attempts run out', async () => {
    for (const code of [500, 502, 503, 504]) {
      expect(await attempt('/code-all-attempts-2', 1, `&responseCode=${code}`)).toBe(200);
      expect(await attempt('/code-all-attempts-2', 3, `&responseCode=${code}`)).toBe(code);
    }
  });

  it('retries connections the backend resets, without any codes listed', async () => {
    expect(await attempt('/no-codes-attempts-3', 2)).toBe(200);
    expect([500, 502, 503]).toContain(await attempt('/no-codes-attempts-3', 4));
    // Status codes are not retried unless listed.
    expect(await attempt('/no-codes-attempts-3', 1, '&responseCode=500')).toBe(500);
  });

  it('retries an attempt that outlives backendRequest, within a route timeout that leaves room for them', async () => {
    expect(await attempt('/backend-timeout-attempts-2', 2, '&responseCode=500&delayRetry=1s')).toBe(200);
    expect(await attempt('/backend-timeout-attempts-2', 3, '&responseCode=500&delayRetry=1s')).toBe(504);
  });

  it('gives up when the request timeout ends, attempts left or not', async () => {
    expect(await attempt('/request-timeout-wins', 1, '&responseCode=500')).toBe(200);
    expect(await attempt('/request-timeout-wins', 4, '&responseCode=500&delayRetry=600ms')).toBe(504);
  });

  it('leaves rules without retry alone', async () => {
    expect(await attempt('/no-retry', 1, '&responseCode=503')).toBe(503);
  });
});
