import { randomBytes } from 'node:crypto';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TimeInput,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** W3C trace context as the bus carries it inside KV values (structurally the same as @eg/bus's). */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

// Used directly rather than through the global API, so a context passes on even when tracing is off.
const w3c = new W3CTraceContextPropagator();
const TRACER_NAME = 'envoy-gateway-ts';

const getter: TextMapGetter<TraceContext> = {
  get: (carrier, key) =>
    key === 'traceparent' ? carrier.traceparent : key === 'tracestate' ? carrier.tracestate : undefined,
  keys: () => ['traceparent', 'tracestate'],
};

/** The OpenTelemetry context whose remote parent is `parent` (the root context without one). */
export function contextOf(parent: TraceContext | undefined): Context {
  return parent ? w3c.extract(ROOT_CONTEXT, parent, getter) : ROOT_CONTEXT;
}

/**
 * The trace context to hand on for `span`. With tracing off the span is the non-recording parent itself,
 * so the incoming context passes through unchanged.
 */
export function traceContextOf(span: Span): TraceContext | undefined {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
    set: (c, key, value) => {
      if (key === 'traceparent' || key === 'tracestate') c[key] = value;
    },
  });
  if (carrier.traceparent === undefined) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

export interface SpanOptions {
  readonly attributes?: Attributes;
  /** When the work began, if before now (e.g. when a bus entry was written). */
  readonly startTime?: TimeInput;
}

/** Starts a span as a child of the change `parent` belongs to. */
export function startSpan(name: string, parent: TraceContext | undefined, opts: SpanOptions = {}): Span {
  return trace.getTracer(TRACER_NAME).startSpan(name, { ...opts, root: parent === undefined }, contextOf(parent));
}

/**
 * Starts the first span of a change (a file write, a watch event). Without a tracer it still yields a
 * valid random trace context, so the change stays identifiable in logs and on the bus.
 */
export function startTrace(name: string, opts: SpanOptions = {}): Span {
  const span = startSpan(name, undefined, opts);
  if (isSpanContextValid(span.spanContext())) return span;
  return trace.wrapSpanContext({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
  });
}

/** Runs `fn` in a span child of `parent`; the span ends when `fn` settles and records its error. */
export function inSpan<R>(
  name: string,
  parent: TraceContext | undefined,
  opts: SpanOptions,
  fn: (span: Span, trace: TraceContext | undefined) => R,
): R {
  const span = startSpan(name, parent, opts);
  const fail = (err: unknown): never => {
    endSpan(span, err);
    throw err;
  };
  let result: R;
  try {
    result = fn(span, traceContextOf(span) ?? parent);
  } catch (err) {
    return fail(err);
  }
  if (result instanceof Promise) {
    return result.then((value: unknown) => {
      endSpan(span);
      return value;
    }, fail) as R;
  }
  endSpan(span);
  return result;
}

/** Ends a span, marking it failed with `err` when given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}
