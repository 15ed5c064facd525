import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProxyStatus } from './proxy-status.ts';

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The xds-server's read-only admin API: `GET /proxy-status` lists every connected Envoy and its sync state. */
export async function startAdminServer(opts: {
  readonly host: string;
  readonly port: number;
  /** Names this replica in the answer, so egctl can say which replica serves which Envoy. */
  readonly replica: string;
  readonly proxies: () => ProxyStatus[];
}): Promise<AdminServer> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/proxy-status') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ replica: opts.replica, proxies: opts.proxies() }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
