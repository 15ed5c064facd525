import { Counter, Histogram } from 'prom-client';
import { DURATION_BUCKETS, endSpan, processRegistry, startSpan, traceContextOf, type Span } from '@eg/telemetry';
import type { BucketName, TraceContext } from './types.ts';

const publishTotal = new Counter({
  name: 'watchable_publish_total',
  help: 'Total number of published event to watchable queue (writes to a bus bucket that changed it).',
  labelNames: ['bucket', 'operation'],
  registers: [processRegistry],
});
const deliveryLag = new Histogram({
  name: 'bus_delivery_lag_seconds',
  help: 'Time from a bus write (the server stamp) to its delivery to a watcher in this process.',
  labelNames: ['bucket'],
  buckets: DURATION_BUCKETS,
  registers: [processRegistry],
});

/** A span for one write of a change; the value then carries the span's context instead of its parent's. */
export function putSpan(bucket: BucketName, key: string, parent: TraceContext): { span: Span; trace: TraceContext } {
  const span = startSpan(`bus.put ${bucket}`, parent, { attributes: { 'bus.bucket': bucket, 'bus.key': key } });
  return { span, trace: traceContextOf(span) ?? parent };
}

export function recordWrite(bucket: BucketName, operation: 'put' | 'delete'): void {
  publishTotal.inc({ bucket, operation });
}

export { endSpan };

/**
 * Records the delivery of a live write: its lag, and a watch span from the write to now, whose context
 * the delivered entry carries on so the consumer's work joins the same trace.
 */
export function recordDelivery(
  bucket: BucketName,
  key: string,
  written: Date,
  parent: TraceContext | undefined,
): TraceContext | undefined {
  const lagMs = Math.max(0, Date.now() - written.getTime());
  deliveryLag.observe({ bucket }, lagMs / 1000);
  if (!parent) return undefined;
  const span = startSpan(`bus.watch ${bucket}`, parent, {
    attributes: { 'bus.bucket': bucket, 'bus.key': key, 'bus.lag_ms': lagMs },
    startTime: written,
  });
  span.end();
  return traceContextOf(span) ?? parent;
}
