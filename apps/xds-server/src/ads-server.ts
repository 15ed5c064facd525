import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerDuplexStream,
  type ServerErrorResponse,
} from '@grpc/grpc-js';
import {
  ADS_SERVICE,
  DiscoveryDecodeError,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '@eg/xds';

import { DeltaStream } from './delta-stream.ts';
import { XdsProtocolError, XdsServerStartError } from './errors.ts';
import { XdsStatusRegistry, type StatusObserver } from './node-status.ts';
import { SnapshotCache } from './snapshot-cache.ts';
import { SotwStream } from './sotw-stream.ts';
import type { AdsStreamOptions } from './stream-core.ts';

export interface XdsServerOptions {
  readonly port: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Plaintext by default; mTLS passes `ServerCredentials.createSsl(...)` here. */
  readonly credentials?: ServerCredentials;
  /** How long a response may wait for its ACK before the stream moves on; default 30 s. */
  readonly ackTimeoutMs?: number;
  /** Hears of NACKs. */
  readonly observer?: StatusObserver;
}

export interface XdsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly cache: SnapshotCache;
  readonly status: XdsStatusRegistry;
  /** Ends every stream (Envoy reconnects elsewhere) and stops the server. */
  close(): Promise<void>;
}

interface ProtocolStream<Req> {
  onRequest(request: Req): void;
  close(): void;
}

const DEFAULT_ACK_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 2_000;

/** Starts the ADS server (delta and state-of-the-world) that serves each Envoy its fleet's snapshot. */
export async function startXdsServer(opts: XdsServerOptions): Promise<XdsServer> {
  const cache = new SnapshotCache();
  const status = new XdsStatusRegistry(opts.observer);
  const calls = new Set<{ end(): void }>();
  let streamIds = 0;

  function serve<Req, Res>(
    call: ServerDuplexStream<Req, Res>,
    create: (o: AdsStreamOptions<Res>) => ProtocolStream<Req>,
  ): void {
    calls.add(call);
    const fail = (err: unknown): void => {
      stream.close();
      call.emit('error', grpcError(err));
    };
    const stream = create({
      streamId: ++streamIds,
      cache,
      status,
      send: (response) => call.write(response),
      fail,
      ackTimeoutMs: opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    });
    call.on('data', (request: Req) => {
      try {
        stream.onRequest(request);
      } catch (err) {
        fail(err);
      }
    });
    call.on('end', () => call.end());
    call.on('close', () => {
      stream.close();
      calls.delete(call);
    });
    call.on('error', () => stream.close());
  }

  const server = new Server();
  server.addService(ADS_SERVICE, {
    StreamAggregatedResources: (call: ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) =>
      serve(call, (o) => new SotwStream(o)),
    DeltaAggregatedResources: (call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) =>
      serve(call, (o) => new DeltaStream(o)),
  });
  const address = `${opts.host ?? '0.0.0.0'}:${opts.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, opts.credentials ?? ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(new XdsServerStartError(`cannot listen on ${address}`, { cause: err })) : resolve(bound),
    ),
  );

  return {
    port,
    cache,
    status,
    async close() {
      for (const call of calls) call.end();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Protocol and decoding errors are the client's; anything else is ours. */
function grpcError(err: unknown): ServerErrorResponse {
  const clientError = err instanceof XdsProtocolError || err instanceof DiscoveryDecodeError;
  const details = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(details), {
    code: clientError ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL,
    details,
  });
}
