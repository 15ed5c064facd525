import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeRequest, requestedResponseHeaders, type EchoIdentity } from './echo.ts';

export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

const STATUS_PATH = /^\/status\/(\d{3})$/;

/** Starts the HTTP echo backend; port 0 picks a free port. */
export async function startEchoServer(identity: EchoIdentity, port: number, host = '127.0.0.1'): Promise<EchoServer> {
  let boundPort = port;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    const status = STATUS_PATH.exec(path);
    if (status) {
      res.writeHead(Number(status[1])).end();
      return;
    }
    const body = JSON.stringify(describeRequest(req, identity, boundPort), null, 1);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
    };
    for (const [name, value] of requestedResponseHeaders(req)) {
      headers[name] = headers[name] ? `${headers[name]},${value}` : value;
    }
    res.writeHead(200, headers).end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;
  return {
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
