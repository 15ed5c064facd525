import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, httpRequest } from '@eg/testing';
import { startScenario, type Scenario } from '../src/scenario.ts';

// SCENARIOS.md 1, standalone form: examples/quickstart as shipped, with only its two ports moved to free ones;
// then SCENARIOS.md 9 (examples/multi-cluster, a ServiceImport backend) in its place, ports moved the same way.

describe('scenario: quickstart', () => {
  let scenario: Scenario;
  let port: number;

  /** An example as shipped, with the listener's 8888 and the backend's 3000 moved to this test's ports. */
  const example = async (path: string, backend: string) =>
    (await readFile(resolve(import.meta.dirname, '../../../examples', path), 'utf8'))
      .replaceAll('port: 8888', `port: ${port}`)
      .replaceAll('port: 3000', `port: ${scenario.backendPorts[backend]}`);

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['backend', 'cluster2'] });
    port = await freePort();
    await scenario.apply('quickstart.yaml', await example('quickstart/quickstart.yaml', 'backend'));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('answers curl -H "Host: www.example.com" /get with the echo JSON', async () => {
    const { value: answer } = await eventually(
      async () => {
        const res = await httpRequest(`http://127.0.0.1:${port}/get`, { host: 'www.example.com' });
        expect(res.status).toBe(200);
        return res;
      },
      { timeoutMs: 30_000 },
    );
    expect(JSON.parse(answer.body)).toMatchObject({
      path: '/get',
      host: 'www.example.com',
      method: 'GET',
      pod: 'backend',
    });
  });

  it('reports the route Accepted with its backends resolved', async () => {
    type RouteStatus = { parents: { parentRef: { name: string }; conditions: { type: string; status: string }[] }[] };
    const status = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'backend');
    expect(status.parents[0]?.parentRef.name).toBe('eg');
    const conditions = Object.fromEntries(status.parents[0]!.conditions.map((c) => [c.type, c.status]));
    expect(conditions).toEqual({ Accepted: 'True', ResolvedRefs: 'True' });
  });

  it('serves examples/multi-cluster: a ServiceImport in another namespace, allowed by a ReferenceGrant', async () => {
    await scenario.remove('quickstart.yaml');
    await scenario.apply('multi-cluster.yaml', await example('multi-cluster/multi-cluster.yaml', 'cluster2'));
    type RouteStatus = { parents: { conditions: { type: string; status: string }[] }[] };
    await eventually(async () => {
      const status = await scenario.status<RouteStatus>('HTTPRoute', 'default', 'backend-mcs');
      const conditions = Object.fromEntries(status.parents[0]!.conditions.map((c) => [c.type, c.status]));
      expect(conditions).toEqual({ Accepted: 'True', ResolvedRefs: 'True' });
    });
    // The other cluster's endpoints (a backend of its own here) answer, once Envoy has the new routes.
    await eventually(
      async () => {
        const res = await httpRequest(`http://127.0.0.1:${port}/mcs`, { host: 'www.example.com' });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ path: '/mcs', pod: 'cluster2' });
      },
      { timeoutMs: 30_000 },
    );
    // With the grant naming another namespace the reference is refused and the route's only backend answers 500.
    const ungranted = (await example('multi-cluster/multi-cluster.yaml', 'cluster2')).replace(
      '      kind: HTTPRoute\n      namespace: default',
      '      kind: HTTPRoute\n      namespace: elsewhere',
    );
    expect(ungranted).toContain('namespace: elsewhere');
    await scenario.apply('multi-cluster.yaml', ungranted);
    await eventually(async () => {
      expect((await httpRequest(`http://127.0.0.1:${port}/mcs`, { host: 'www.example.com' })).status).toBe(500);
    });
  });
});
