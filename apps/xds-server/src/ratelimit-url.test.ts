import { describe, expect, it } from 'vitest';
import { parseRateLimitService } from './ratelimit-url.ts';

describe('parseRateLimitService', () => {
  it("defaults to Envoy Gateway's ratelimit Service on 8081", () => {
    expect(parseRateLimitService(undefined, false)).toEqual({
      host: 'envoy-ratelimit.envoy-gateway-system.svc.cluster.local',
      port: 8081,
      failClosed: false,
    });
  });

  it('reads grpc://host:port, host:port and IPv6 literals', () => {
    expect(parseRateLimitService('grpc://127.0.0.1:18001', true)).toEqual({
      host: '127.0.0.1',
      port: 18001,
      failClosed: true,
    });
    expect(parseRateLimitService('rl.example:9000', false)).toMatchObject({ host: 'rl.example', port: 9000 });
    expect(parseRateLimitService('grpc://[::1]:8081', false)).toMatchObject({ host: '::1', port: 8081 });
  });

  it('refuses other schemes', () => {
    expect(() => parseRateLimitService('http://x:1', false)).toThrow(/grpc:\/\/host:port/);
  });
});
