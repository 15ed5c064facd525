// For benchmarks and tests of other projects: the gRPC server, its proto, and the counter stores.
export { startRateLimitServer, type RateLimitServer, type RateLimitServerOptions } from './rls-server.ts';
export { rateLimitServiceDefinition, type WireRateLimitRequest, type WireRateLimitResponse } from './rls-proto.ts';
export { MemoryCounterStore, type CounterStore } from './fixed-window.ts';
export { RedisCounterStore } from './redis-store.ts';
export { parseRedisUrl } from './redis-client.ts';
