import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { rateLimitServiceDefinition, type WireRateLimitRequest, type WireRateLimitResponse } from '@eg/ratelimit';

// The load side of the ratelimit benchmark, in its own process so it does not share a core's event loop with
// the service: keeps `concurrency` ShouldRateLimit calls in flight for `durationMs` and reports throughput and
// latency percentiles to the parent over IPC.

export interface LoadRun {
  readonly port: number;
  readonly domain: string;
  readonly descriptors: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Distinct values per descriptor, so counters spread over many Redis keys as real traffic does. */
  readonly users: number;
}

export interface LoadResult {
  readonly decisions: number;
  readonly errors: number;
  readonly overLimit: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

type RlsClient = Client & {
  ShouldRateLimit(req: WireRateLimitRequest, cb: (err: ServiceError | null, res: WireRateLimitResponse) => void): void;
};

const clients = new Map<number, RlsClient>();
const Ctor = makeGenericClientConstructor(rateLimitServiceDefinition(), 'RateLimitService');

async function run(load: LoadRun): Promise<LoadResult> {
  let client = clients.get(load.port);
  if (!client) {
    client = new Ctor(`127.0.0.1:${load.port}`, credentials.createInsecure()) as unknown as RlsClient;
    clients.set(load.port, client);
  }
  const latencies: number[] = [];
  let errors = 0;
  let overLimit = 0;
  let sequence = 0;
  const start = performance.now();
  const deadline = start + load.durationMs;
  const request = (): WireRateLimitRequest => {
    const user = String(sequence++ % load.users);
    return {
      domain: load.domain,
      descriptors: Array.from({ length: load.descriptors }, (_, d) => ({
        entries: [
          { key: 'route', value: `route-${d}` },
          { key: 'x-user-id', value: user },
        ],
      })),
      hitsAddend: 1,
    };
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      await new Promise<void>((resolve) =>
        client.ShouldRateLimit(request(), (err, res) => {
          if (err) errors++;
          else {
            latencies.push(performance.now() - sent);
            if (res.overallCode === 'OVER_LIMIT') overLimit++;
          }
          resolve();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
  return { decisions: latencies.length, errors, overLimit, seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

process.on('message', (load: LoadRun) => {
  void run(load).then((result) => process.send!(result));
});
process.on('disconnect', () => {
  for (const c of clients.values()) c.close();
  process.exit(0);
});
