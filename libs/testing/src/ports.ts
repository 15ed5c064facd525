import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports this process has handed out, never handed out again: the server each was meant for may not have
 * bound it yet.
 */
const handedOut = new Set<number>();

/**
 * Where free ports are looked for: below the kernel's ephemeral range. Ports in that range are also taken by
 * every outgoing connection and every `listen(0)` (Envoy's admin port, say), in this process or another, so a
 * port picked there and bound a moment later can be gone (seen: a service exiting with EADDRINUSE).
 */
const RANGE = portsBelowEphemeral();

function portsBelowEphemeral(): { readonly low: number; readonly high: number } | undefined {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return start !== undefined && start > 12_000 ? { low: 10_000, high: start - 1 } : undefined;
  } catch {
    return undefined; // not Linux: let the OS pick
  }
}

/** A TCP port that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = RANGE ? RANGE.low + Math.floor(Math.random() * (RANGE.high - RANGE.low + 1)) : 0;
    if (handedOut.has(candidate)) continue;
    const port = await tryListen(candidate);
    if (port === undefined || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('found no free port that this process has not handed out already');
}

/** Binds `port` (0: any) on every address and lets it go again; the port, or undefined when it is taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err),
    );
    server.listen(port, '0.0.0.0', () => {
      const address = server.address();
      server.close(() => resolve(address !== null && typeof address !== 'string' ? address.port : undefined));
    });
  });
}

/**
 * Starts `server` on 127.0.0.1 at a port from `freePort`, so it cannot take a port handed out earlier that
 * its owner has not bound yet (as `listen(0)` could); resolves with the port.
 */
export async function listenOnFreePort(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return port;
}
