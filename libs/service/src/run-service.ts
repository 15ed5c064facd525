import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from './logger.ts';
import { initTracing, processRegistry } from '@eg/telemetry';
import { startHealthServer, type HealthServer } from './health.ts';

/** The release the services belong to (the workspace root's version). */
const SERVICE_VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }
).version;

/** What a service's start function gets: its logger, readiness switch, metrics registry and shutdown hooks. */
export interface ServiceContext {
  readonly log: Logger;
  readonly health: HealthServer;
  /** Aborted when the process is asked to stop. */
  readonly signal: AbortSignal;
  /** Registers cleanup that runs on SIGTERM/SIGINT, last registered first. */
  onShutdown(fn: () => Promise<void> | void): void;
}

export interface ServiceOptions {
  readonly name: string;
  readonly healthPort: number;
  /** The options the service runs with (its parsed command line), shown by `egctl config envoy-gateway`. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly start: (ctx: ServiceContext) => Promise<void>;
}

/**
 * Runs one service process: health endpoints first, then the service, then a graceful shutdown on
 * SIGTERM/SIGINT. A start failure exits non-zero so a supervisor restarts it.
 */
export async function runService(opts: ServiceOptions): Promise<void> {
  const log = createLogger(opts.name);
  const tracing = initTracing(opts.name);
  const health = await startHealthServer(opts.healthPort, {
    registry: processRegistry,
    config: {
      service: opts.name,
      version: SERVICE_VERSION,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      nodeVersion: process.version,
      tracing: tracing.enabled
        ? {
            exporter: 'otlp',
            endpoint: process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? process.env['OTEL_EXPORTER_OTLP_ENDPOINT'],
          }
        : { exporter: 'none' },
      options: opts.config ?? {},
    },
  });
  const controller = new AbortController();
  const cleanups: Array<() => Promise<void> | void> = [];
  let stopping = false;

  const shutdown = async (reason: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { reason });
    controller.abort();
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        log.error('cleanup failed', { err });
      }
    }
    await health.close();
    await tracing.shutdown().catch((err: unknown) => log.error('trace export failed', { err }));
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGINT', () => void shutdown('SIGINT', 0));

  log.info('starting', { healthPort: health.port, pid: process.pid, tracing: tracing.enabled });
  try {
    await opts.start({ log, health, signal: controller.signal, onShutdown: (fn) => cleanups.push(fn) });
  } catch (err) {
    log.error('start failed', { err });
    await shutdown('start failed', 1);
  }
}
