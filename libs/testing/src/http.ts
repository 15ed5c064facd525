import { request, Agent } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface HttpRequestOptions {
  readonly method?: string;
  /** Sent as the Host header (fetch cannot override it). */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

/** One HTTP/1.1 request with full control of the Host header, as curl -H 'Host: ...' sends it. */
export function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: opts.method ?? 'GET',
        headers: { ...opts.headers, ...(opts.host ? { host: opts.host } : {}) },
        agent: opts.agent ?? false,
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Polls until `check` passes or the deadline is reached; returns how long it took. */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  let lastError: unknown;
  for (;;) {
    try {
      return { value: await check(), elapsedMs: performance.now() - start };
    } catch (err) {
      lastError = err;
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until a service's `/readyz` on `healthPort` answers 200. */
export async function waitUntilReady(healthPort: number, timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      const answer = await httpRequest(`http://127.0.0.1:${healthPort}/readyz`);
      if (answer.status !== 200) throw new Error(`readyz answered ${answer.status}`);
    },
    { timeoutMs, intervalMs: 50 },
  );
}
