import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from './health.ts';

describe('health server', () => {
  let server: HealthServer;
  beforeAll(async () => {
    server = await startHealthServer(0, { host: '127.0.0.1', config: { service: 'test' } });
  });
  afterAll(() => server.close());
  const get = (path: string): Promise<Response> => fetch(`http://127.0.0.1:${server.port}${path}`);

  it('is alive at once and ready only after markReady', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
    server.markReady();
    expect((await get('/readyz')).status).toBe(200);
  });

  it('serves the configuration it was given', async () => {
    expect(await (await get('/config')).json()).toEqual({ service: 'test' });
  });

  it('serves Prometheus metrics', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_cpu_user_seconds_total');
  });
});
