import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitIR } from '@eg/ir';
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
  const ask = (domain = 'default/eg'): Promise<WireRateLimitResponse> =>
    new Promise((resolve, reject) =>
      client.ShouldRateLimit(
        { domain, descriptors: [{ entries: [{ key: 'generic_key', value: 'all' }] }], hitsAddend: 1 },
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );

  beforeAll(async () => {
    server = await startRateLimitServer({ host: '127.0.0.1', port: 0 });
    const Ctor = makeGenericClientConstructor(rateLimitServiceDefinition(), 'RateLimitService');
    client = new Ctor(`127.0.0.1:${server.port}`, credentials.createInsecure()) as unknown as RlsClient;
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('allows the configured number of requests, then answers OVER_LIMIT', async () => {
    server.setConfig([limitIR(3)]);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await ask()).overallCode);
    expect(codes).toEqual(['OK', 'OK', 'OK', 'OVER_LIMIT']);
    const last = await ask();
    expect(last.statuses[0]).toMatchObject({ code: 'OVER_LIMIT', currentLimit: { requestsPerUnit: 3, unit: 'HOUR' } });
  });

  it('applies a new configuration at once', async () => {
    server.setConfig([limitIR(100)]);
    expect((await ask()).overallCode).toBe('OK');
  });

  it('answers OK for a domain it has no configuration for', async () => {
    const res = await ask('other/gateway');
    expect(res.overallCode).toBe('OK');
  });
});
