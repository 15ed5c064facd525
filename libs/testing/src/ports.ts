import { createServer, type Server } from 'node:net';

/**
 * Ports this process has handed out. The OS picks a port for `listen(0)` from a few thousand candidates, so
 * among the dozens one test file asks for it repeats one now and then (seen: 11 of 400 runs of 25 calls);
 * two servers given the same port would race for it.
 */
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before
 * (the OS picks it; another process may still race us). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await unusedPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('the OS kept offering ports this process has already handed out');
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('listening socket has no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
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
