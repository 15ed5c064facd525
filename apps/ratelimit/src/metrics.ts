import { Counter } from 'prom-client';
import { processRegistry } from '@eg/telemetry';

const decisions = new Counter({
  name: 'ratelimit_service_decisions_total',
  help: 'ShouldRateLimit answers by domain and overall code (OK, OVER_LIMIT), or ERROR when the counter store failed.',
  labelNames: ['domain', 'code'],
  registers: [processRegistry],
});

export function recordDecision(domain: string, code: string): void {
  decisions.inc({ domain, code });
}
