import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.ts';

export interface RedisServerFixture {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: an outage, not a clean shutdown); `start()` brings it back on the same port, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, until `resume()` (SIGCONT). */
  pause(): void;
  resume(): void;
  /** Stops the server for good. Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** The redis-server binary; default `$REDIS_SERVER_BIN` or `redis-server` on PATH. */
  readonly bin?: string;
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

// Children still running when this process exits are killed, so a failed test never leaves a server behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts Debian's real redis-server on a free port of 127.0.0.1, in memory only (no RDB or AOF files). */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerFixture> {
  const bin = opts.bin ?? process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  let port = opts.port ?? (await freePort());
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  const args = (): string[] => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
  ];
  let child: ChildProcess | undefined;
  let stopped = false;

  const start = async (): Promise<void> => {
    if (child) return;
    const proc = spawn(bin, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    child = proc;
    const log: string[] = [];
    const keep = (chunk: Buffer): void => {
      log.push(chunk.toString('utf8'));
      if (log.length > 50) log.shift();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('exit', () => {
      running.delete(proc);
      if (child === proc) child = undefined;
    });
    const exited = new Promise<never>((_resolve, reject) => {
      proc.once('error', (err) => reject(new Error(`cannot start ${bin}`, { cause: err })));
      proc.once('exit', (code, signal) =>
        reject(new Error(`${bin} exited (code ${code}, signal ${signal}) before it was ready:\n${log.join('')}`)),
      );
    });
    exited.catch(() => undefined);
    try {
      await Promise.race([waitForPong(port, startTimeoutMs), exited]);
    } catch (err) {
      await kill(proc);
      throw err;
    }
  };

  const kill = async (proc: ChildProcess): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };

  // Another process may take the free port before redis-server binds it; a port of our choosing is tried anew.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      if (opts.port !== undefined || attempt === 3) throw err;
      port = await freePort();
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (child) await kill(child);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async start() {
      if (stopped) throw new Error('redis-server fixture was stopped; it cannot be started again');
      await start();
    },
    async stop() {
      stopped = true;
      if (child) await kill(child);
    },
  };
}

/** Polls until the server answers PING with +PONG. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      if ((await ping(port)).startsWith('+PONG')) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} not ready within ${timeoutMs} ms`, { cause: lastError });
}

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    let buffer = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('no PONG within 1 s')));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\r\n')) {
        socket.destroy();
        resolve(buffer);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before PONG')));
  });
}
