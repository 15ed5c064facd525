import { Counter } from 'prom-client';
import { processRegistry } from '@eg/telemetry';

/** What ShouldRateLimit answered; the store-failure codes follow Envoy's own stat names. */
export type DecisionCode = 'OK' | 'OVER_LIMIT' | 'ERROR' | 'FAILURE_MODE_ALLOWED';

const decisions = new Counter({
  name: 'ratelimit_service_decisions_total',
  help:
    'ShouldRateLimit answers by domain and code: OK, OVER_LIMIT, or when the counter store failed ' +
    'FAILURE_MODE_ALLOWED (answered OK, fail open) or ERROR (answered with a gRPC error, --failure-mode-deny).',
  labelNames: ['domain', 'code'],
  registers: [processRegistry],
});

const redisErrors = new Counter({
  name: 'ratelimit_service_redis_errors_total',
  help: 'Redis pipelines that failed, by error (RedisUnavailableError, RedisTimeoutError, RedisReplyError).',
  labelNames: ['error'],
  registers: [processRegistry],
});

export function recordDecision(domain: string, code: DecisionCode): void {
  decisions.inc({ domain, code });
}

export function recordRedisError(err: unknown): void {
  redisErrors.inc({ error: err instanceof Error ? err.name : 'Error' });
}
