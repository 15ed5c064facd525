import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from './redis.ts';

/** One inline command's first reply line, or the connection error. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${command}\r\n`));
    socket.once('data', (chunk: Buffer) => {
      socket.destroy();
      resolve(chunk.toString('utf8').split('\r\n')[0] ?? '');
    });
    socket.once('error', reject);
  });
}

describe('startRedisServer', () => {
  it('runs redis-server, kills it, brings it back empty on the same port, and stops it', async () => {
    const redis = await startRedisServer();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await ask(redis.port, 'SET k 1')).toBe('+OK');
      await redis.kill();
      await expect(ask(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
      await redis.start();
      expect(await ask(redis.port, 'GET k')).toBe('$-1');
    } finally {
      await redis.stop();
    }
    await expect(ask(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
    await expect(redis.start()).rejects.toThrow(/stopped/);
  });
});
