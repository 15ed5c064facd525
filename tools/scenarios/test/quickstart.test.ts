import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, httpRequest } from '@eg/testing';
import { startScenario, type Scenario } from '../src/scenario.ts';

// SCENARIOS.md 1, standalone form: examples/quickstart as shipped, with only its two ports moved to free ones.

describe('scenario: quickstart', () => {
  let scenario: Scenario;
  let port: number;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['backend'] });
    port = await freePort();
    const example = await readFile(
      resolve(import.meta.dirname, '../../../examples/quickstart/quickstart.yaml'),
      'utf8',
    );
    await scenario.apply(
      'quickstart.yaml',
      example.replace('port: 8888', `port: ${port}`).replace('port: 3000', `port: ${scenario.backendPorts['backend']}`),
    );
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
});
