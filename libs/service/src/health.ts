import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** `/healthz` (alive), `/readyz` (first full snapshot processed) and Prometheus `/metrics`. */
export interface HealthServer {
  readonly port: number;
  readonly registry: Registry;
  markReady(): void;
  close(): Promise<void>;
}

export interface HealthServerOptions {
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Served at `/metrics`, with the process's default metrics (CPU, memory, event loop) added. */
  readonly registry?: Registry;
  /** What the service runs with, served as JSON at `/config` (for `egctl config envoy-gateway`). */
  readonly config?: unknown;
}

export async function startHealthServer(port: number, opts: HealthServerOptions = {}): Promise<HealthServer> {
  const registry = opts.registry ?? new Registry();
  let ready = false;
  collectDefaultMetrics({ register: registry });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready' : 'not ready');
    } else if (path === '/config' && opts.config !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opts.config));
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    markReady: () => {
      ready = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
