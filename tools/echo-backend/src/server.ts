import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeRequest, requestedDelayMs, requestedResponseHeaders, type EchoIdentity } from './echo.ts';
import { FailureSimulation, type Failure } from './failures.ts';

export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

const STATUS_PATH = /^\/status\/(\d{3})$/;
/** Lists the paths this backend has served (oldest first), so tests can see mirrored requests arrive. */
const REQUESTS_PATH = '/__requests';
const MAX_REMEMBERED = 1000;

/** Starts the HTTP echo backend; port 0 picks a free port. */
export async function startEchoServer(identity: EchoIdentity, port: number, host = '127.0.0.1'): Promise<EchoServer> {
  let boundPort = port;
  const seen: string[] = [];
  const failures = new FailureSimulation();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    if (path === REQUESTS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
      return;
    }
    seen.push(path);
    if (seen.length > MAX_REMEMBERED) seen.shift();
    const failure = failures.next(path);
    const delay = failure ? failure.delayMs : requestedDelayMs(path);
    if (delay > 0) {
      setTimeout(() => answer(req, res, path, failure), delay).unref();
      return;
    }
    answer(req, res, path, failure);
  });
  const answer = (req: IncomingMessage, res: ServerResponse, path: string, failure?: Failure): void => {
    if (failure?.type === 'Reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (failure?.type === 'Status') {
      res.writeHead(failure.code, { 'content-type': 'text/plain' }).end(`failing as asked (${failure.code})`);
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
    if (!res.destroyed) res.writeHead(200, headers).end(body);
  };
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
