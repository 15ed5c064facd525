// @eg/telemetry: OpenTelemetry tracing set up from OTEL_* variables, trace context for bus values, and the
// process's Prometheus registry.
export { initTracing, tracingRequested, type Tracing } from './tracing.ts';
export { TelemetryConfigError, type Env } from './env-config.ts';
export {
  contextOf,
  endSpan,
  inSpan,
  startSpan,
  startTrace,
  traceContextOf,
  type SpanOptions,
  type TraceContext,
} from './trace-context.ts';
export { DURATION_BUCKETS, processRegistry, recordSubscription, recordTranslation } from './metrics.ts';
export type { Attributes, Span } from '@opentelemetry/api';
