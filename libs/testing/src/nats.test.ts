import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from './nats.ts';
import { freePort } from './ports.ts';

function infoLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (chunk: Buffer) => {
      socket.destroy();
      resolve(chunk.toString('utf8').split('\r\n')[0] ?? '');
    });
    socket.once('error', reject);
  });
}

describe('freePort', () => {
  it('returns a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('startNatsServer', () => {
  it('runs nats-server with JetStream, restarts it on the same port and store, and stops it', async () => {
    const nats = await startNatsServer();
    try {
      expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
      const info = await infoLine(nats.port);
      expect(info).toMatch(/^INFO /);
      expect(info).toContain('"jetstream":true');
      expect(info).toContain(`"port":${nats.port}`);

      const marker = join(nats.storeDir, 'kept-across-restart');
      await writeFile(marker, '');
      let ranWhileDown = false;
      await nats.restart({
        whileDown: async () => {
          await expect(infoLine(nats.port)).rejects.toThrow();
          ranWhileDown = true;
        },
      });
      expect(ranWhileDown).toBe(true);
      expect(existsSync(marker)).toBe(true);
      expect(await infoLine(nats.port)).toContain('"jetstream":true');
    } finally {
      await nats.stop();
    }
    await expect(infoLine(nats.port)).rejects.toThrow();
    expect(existsSync(nats.storeDir)).toBe(false);
    await nats.stop(); // twice is fine
    await expect(nats.restart()).rejects.toThrow('stopped');
  });

  it('reports a server that cannot start', async () => {
    await expect(startNatsServer({ bin: '/nonexistent/nats-server' })).rejects.toThrow('nats-server');
  });
});
