import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { inSpan, startSpan, startTrace, traceContextOf } from './trace-context.ts';
import { tracingRequested } from './tracing.ts';
import { batchOptions, samplerFromEnv } from './env-config.ts';

const PARENT = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

describe('trace context', () => {
  // Runs first: no tracer provider is registered yet, as in a process without OTEL_* variables.
  it('passes the incoming context through unchanged when tracing is off, and still starts valid traces', () => {
    expect(traceContextOf(startSpan('x', PARENT))).toEqual(PARENT);
    const root = traceContextOf(startTrace('change'));
    expect(root?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(root?.traceparent).not.toContain('00000000000000000000000000000000');
  });

  it('makes spans children of the carried context and hands on their own context', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    const handed = await inSpan('publish', PARENT, { attributes: { routes: 3 } }, async (_span, ctx) => ctx);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('publish');
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span?.attributes).toEqual({ routes: 3 });
    expect(handed?.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span?.spanContext().spanId}-01`);
    expect(() =>
      inSpan('fails', PARENT, {}, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(exporter.getFinishedSpans()[1]?.status).toMatchObject({ code: 2, message: 'boom' });
  });
});

describe('tracingRequested', () => {
  it('needs an OTLP endpoint and honours OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});

describe('OTEL_* batch and sampler settings', () => {
  it('reads the batch processor variables and the sampler, and names a bad variable', () => {
    expect(batchOptions({ OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_MAX_QUEUE_SIZE: '4096' })).toEqual({
      scheduledDelayMillis: 100,
      maxQueueSize: 4096,
    });
    expect(() => batchOptions({ OTEL_BSP_SCHEDULE_DELAY: 'soon' })).toThrow('OTEL_BSP_SCHEDULE_DELAY');
    expect(samplerFromEnv({}).toString()).toContain('ParentBased{root=AlwaysOnSampler');
    expect(
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }).toString(),
    ).toContain('0.5');
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow('OTEL_TRACES_SAMPLER');
  });
});
