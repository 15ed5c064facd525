import { describe, expect, it } from 'vitest';
import { parseRateLimitService } from './ratelimit-url.ts';

describe('parseRateLimitService', () => {
  it("defaults to Envoy Gateway's ratelimit Service on 8081", () => {
    expect(parseRateLimitService(undefined, false)).toEqual({
      addresses: [{ host: 'envoy-ratelimit.envoy-gateway-system.svc.cluster.local', port: 8081 }],
      failClosed: false,
    });
  });

  it('reads grpc://host:port, host:port and IPv6 literals', () => {
    expect(parseRateLimitService('grpc://127.0.0.1:18001', true)).toEqual({
      addresses: [{ host: '127.0.0.1', port: 18001 }],
      failClosed: true,
    });
    expect(parseRateLimitService('rl.example:9000', false)).toMatchObject({
      addresses: [{ host: 'rl.example', port: 9000 }],
    });
    expect(parseRateLimitService('grpc://[::1]:8081', false)).toMatchObject({
      addresses: [{ host: '::1', port: 8081 }],
    });
  });

  it('reads a comma-separated list of replicas', () => {
    expect(parseRateLimitService('grpc://127.0.0.1:7001, grpc://127.0.0.1:7002', false)).toMatchObject({
      addresses: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
      ],
    });
  });

  it('takes the timeout Envoy waits for an answer', () => {
    expect(parseRateLimitService(undefined, false, '500')).toMatchObject({ timeoutMs: 500 });
    expect(parseRateLimitService('grpc://a:1', false)).not.toHaveProperty('timeoutMs');
    expect(() => parseRateLimitService(undefined, false, '0.5s')).toThrow(/--ratelimit-timeout-ms/);
  });

  it('refuses other schemes', () => {
    expect(() => parseRateLimitService('http://x:1', false)).toThrow(/grpc:\/\/host:port/);
    expect(() => parseRateLimitService('grpc://a:1,http://x:1', false)).toThrow(/grpc:\/\/host:port/);
  });
});
