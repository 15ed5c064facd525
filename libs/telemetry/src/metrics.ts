import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The registry a service process serves at `/metrics`. Libraries register their metrics here, so a
 * service exposes the bus's metrics without wiring each one through.
 */
export const processRegistry = new Registry();

/** Latency buckets for control-plane work, from 1 ms to 10 s. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// Envoy Gateway's watchable metrics; `runner` names the component (gateway-api, xds-server, ...).
const subscribeDuration = new Histogram({
  name: 'watchable_subscribe_duration_seconds',
  help: 'How long in seconds a subscribed watchable queue is handled.',
  labelNames: ['runner'],
  buckets: DURATION_BUCKETS,
  registers: [processRegistry],
});
const subscribeTotal = new Counter({
  name: 'watchable_subscribe_total',
  help: 'Total number of subscribed watchable queue.',
  labelNames: ['runner', 'status'],
  registers: [processRegistry],
});

/** Records one handled bus snapshot of `runner`: how long it took and whether it failed. */
export function recordSubscription(runner: string, startedMs: number, failed = false): void {
  subscribeDuration.observe({ runner }, (performance.now() - startedMs) / 1000);
  subscribeTotal.inc({ runner, status: failed ? 'failure' : 'success' });
}

const translationDuration = new Histogram({
  name: 'translation_duration_seconds',
  help: 'How long in seconds one translation took (gateway-api: resources to IR; xds: IR to Envoy resources).',
  labelNames: ['translator'],
  buckets: DURATION_BUCKETS,
  registers: [processRegistry],
});

/** Records one translation that started at `startedMs` (performance.now()). */
export function recordTranslation(translator: 'gateway-api' | 'xds', startedMs: number): void {
  translationDuration.observe({ translator }, (performance.now() - startedMs) / 1000);
}
