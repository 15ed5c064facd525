import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type BatchSpanProcessorOptions,
  type Sampler,
} from '@opentelemetry/sdk-trace';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown for an OTEL_* value the specification does not allow; the message names the variable. */
export class TelemetryConfigError extends Error {
  override readonly name = 'TelemetryConfigError';
}

// SDK 3.x no longer reads these variables itself; the specification's names and defaults apply.

/** OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE. */
export function batchOptions(env: Env): Omit<BatchSpanProcessorOptions, 'exporter'> {
  const number = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new TelemetryConfigError(`${name} must be a non-negative integer`);
    return value;
  };
  const entries = {
    scheduledDelayMillis: number('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: number('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: number('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG; default parentbased_always_on. */
export function samplerFromEnv(env: Env): Sampler {
  const name = env['OTEL_TRACES_SAMPLER'] ?? 'parentbased_always_on';
  const ratio = (): number => {
    const value = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? '1');
    if (!(value >= 0 && value <= 1)) throw new TelemetryConfigError('OTEL_TRACES_SAMPLER_ARG must be between 0 and 1');
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new TelemetryConfigError(`OTEL_TRACES_SAMPLER: unsupported sampler ${JSON.stringify(name)}`);
  }
}
