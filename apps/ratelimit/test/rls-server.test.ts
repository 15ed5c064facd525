import { credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitIR } from '@eg/ir';
import { freePort } from '@eg/testing';
import { RedisCounterStore } from '../src/redis-store.ts';
import { rateLimitServiceDefinition, type WireRateLimitRequest, type WireRateLimitResponse } from '../src/rls-proto.ts';
import { startRateLimitServer, type RateLimitServer } from '../src/rls-server.ts';

// A real @grpc/grpc-js client built from Envoy's rls.proto calls the server over the network.

type RlsClient = Client & {
  ShouldRateLimit(req: WireRateLimitRequest, cb: (err: ServiceError | null, res: WireRateLimitResponse) => void): void;
};

const limitIR = (requests: number): RateLimitIR => ({
  domain: 'default/eg',
  descriptors: [{ key: 'generic_key', value: 'all', limit: { requests, unit: 'Hour' }, descriptors: [] }],
});

describe('rate limit gRPC service', () => {
  let server: RateLimitServer;
  let client: RlsClient;
  const ask = (domain = 'default/eg'): Promise<WireRateLimitResponse> => shouldRateLimit(client, domain);
  const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

  beforeAll(async () => {
    // 10:20:00.5: the hour's window resets in 2399.5 s, rounded up.
    server = await startRateLimitServer({ host: '127.0.0.1', port: 0, now: () => T0 + 1_200_500 });
    client = connectClient(server.port);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('fills the statuses Envoy builds x-ratelimit-limit, -remaining and -reset from', async () => {
    server.setConfig([limitIR(5)]);
    const first = await ask();
    expect(first.statuses).toEqual([
      expect.objectContaining({
        code: 'OK',
        currentLimit: expect.objectContaining({ requestsPerUnit: 5, unit: 'HOUR' }),
        limitRemaining: 4,
        durationUntilReset: { seconds: 2400, nanos: 0 },
      }),
    ]);
    expect((await ask()).statuses[0]?.limitRemaining).toBe(3);
  });

  it('allows the configured number of requests, then answers OVER_LIMIT', async () => {
    server.setConfig([{ ...limitIR(3), domain: 'other/eg' }]);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await ask('other/eg')).overallCode);
    expect(codes).toEqual(['OK', 'OK', 'OK', 'OVER_LIMIT']);
    const last = await ask('other/eg');
    expect(last.statuses[0]).toMatchObject({ code: 'OVER_LIMIT', currentLimit: { requestsPerUnit: 3, unit: 'HOUR' } });
  });

  it('applies a new configuration at once', async () => {
    server.setConfig([limitIR(100)]);
    expect((await ask()).overallCode).toBe('OK');
  });

  it('answers OK for a domain it has no configuration for', async () => {
    const res = await ask('unknown/gateway');
    expect(res.overallCode).toBe('OK');
  });
});

describe('rate limit gRPC service when Redis cannot be reached', () => {
  const servers: RateLimitServer[] = [];
  const clients: RlsClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.close();
  });

  async function start(failureModeDeny: boolean): Promise<RlsClient> {
    // Nothing listens there: every pipeline fails with RedisUnavailableError.
    const store = new RedisCounterStore({ host: '127.0.0.1', port: await freePort() });
    const server = await startRateLimitServer({ host: '127.0.0.1', port: 0, store, failureModeDeny });
    server.setConfig([limitIR(1)]);
    servers.push(server);
    const client = connectClient(server.port);
    clients.push(client);
    return client;
  }

  it('fails open by default: OK without limits, so Envoy adds no x-ratelimit headers', async () => {
    const client = await start(false);
    for (let i = 0; i < 3; i++) {
      const res = await shouldRateLimit(client);
      expect(res.overallCode).toBe('OK');
      expect(res.statuses).toEqual([
        expect.objectContaining({ code: 'OK', limitRemaining: 0, currentLimit: null, durationUntilReset: null }),
      ]);
    }
  });

  it('answers UNAVAILABLE with --failure-mode-deny, so Envoy applies its failure_mode_deny', async () => {
    const client = await start(true);
    await expect(shouldRateLimit(client)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});

function connectClient(port: number): RlsClient {
  const Ctor = makeGenericClientConstructor(rateLimitServiceDefinition(), 'RateLimitService');
  return new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as RlsClient;
}

function shouldRateLimit(client: RlsClient, domain = 'default/eg'): Promise<WireRateLimitResponse> {
  return new Promise((resolve, reject) =>
    client.ShouldRateLimit(
      { domain, descriptors: [{ entries: [{ key: 'generic_key', value: 'all' }] }], hitsAddend: 1 },
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
}
