import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { RateLimitIR } from '@eg/ir';
import { RateLimitConfig } from './config.ts';
import { decide, type Decision } from './decide.ts';
import { MemoryCounterStore, type CounterStore } from './fixed-window.ts';
import { recordDecision } from './metrics.ts';
import { rateLimitServiceDefinition, type WireRateLimitRequest, type WireRateLimitResponse } from './rls-proto.ts';

export interface RateLimitServerOptions {
  readonly host: string;
  readonly port: number;
  readonly store?: CounterStore;
  readonly credentials?: ServerCredentials;
  readonly now?: () => number;
  /**
   * When the counter store fails: answer with a gRPC error so Envoy's filter applies its own failure_mode_deny
   * (500 when set). Without it the service fails open, as Envoy Gateway does by default: OK, nothing counted.
   */
  readonly failureModeDeny?: boolean;
}

export interface RateLimitServer {
  readonly port: number;
  setConfig(irs: readonly RateLimitIR[]): void;
  close(): Promise<void>;
}

/** Envoy's rate limit service (`envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit`) over gRPC. */
export async function startRateLimitServer(opts: RateLimitServerOptions): Promise<RateLimitServer> {
  const now = opts.now ?? Date.now;
  const store = opts.store ?? new MemoryCounterStore(now);
  // Replaced whole on every update; a request keeps the instance it started with.
  let config = new RateLimitConfig([]);
  const server = new Server();
  server.addService(rateLimitServiceDefinition(), {
    ShouldRateLimit: (
      call: ServerUnaryCall<WireRateLimitRequest, WireRateLimitResponse>,
      callback: sendUnaryData<WireRateLimitResponse>,
    ) => {
      const request = call.request;
      decide(
        config,
        store,
        { domain: request.domain, descriptors: request.descriptors, hitsAddend: request.hitsAddend },
        now(),
      )
        .then((decision) => {
          recordDecision(request.domain, decision.overallCode);
          callback(null, toWire(decision));
        })
        .catch((err: unknown) => {
          if (opts.failureModeDeny) {
            recordDecision(request.domain, 'ERROR');
            callback({ code: status.UNAVAILABLE, details: `counter store failed: ${String(err)}` });
            return;
          }
          recordDecision(request.domain, 'FAILURE_MODE_ALLOWED');
          // No current_limit in the statuses: Envoy then adds no x-ratelimit-* headers it could not back.
          callback(null, {
            overallCode: 'OK',
            statuses: request.descriptors.map(() => ({ code: 'OK', limitRemaining: 0 })),
          });
        });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host}:${opts.port}`, opts.credentials ?? ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    setConfig: (irs) => {
      config = new RateLimitConfig(irs);
    },
    close: async () => {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await store.close();
    },
  };
}

function toWire(decision: Decision): WireRateLimitResponse {
  return {
    overallCode: decision.overallCode,
    statuses: decision.statuses.map((s) => ({
      code: s.code,
      limitRemaining: s.limitRemaining,
      ...(s.currentLimit
        ? { currentLimit: { requestsPerUnit: s.currentLimit.requests, unit: s.currentLimit.unit.toUpperCase() } }
        : {}),
      ...(s.durationUntilReset !== undefined
        ? { durationUntilReset: { seconds: s.durationUntilReset, nanos: 0 } }
        : {}),
    })),
  };
}
