import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface NatsServerFixture {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory; removed by stop(). */
  readonly storeDir: string;
  /** Stops the server and removes its store. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops the server and starts it again on the same port with the same store (for fault tests).
   * `downMs` keeps it down that long; `whileDown` runs while it is down (e.g. to damage the store).
   */
  restart(opts?: { downMs?: number; whileDown?: () => Promise<void> }): Promise<void>;
}

export interface NatsServerOptions {
  /** The nats-server binary; default `$NATS_SERVER_BIN` or `nats-server` on PATH. */
  readonly bin?: string;
  readonly port?: number;
  /** How long to wait for the server to accept connections. */
  readonly startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5000;

// Children still running when this process exits are killed, so a failed test never leaves a server behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a real nats-server with JetStream on a free port of 127.0.0.1 and a fresh store directory. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerFixture> {
  const bin = opts.bin ?? process.env['NATS_SERVER_BIN'] ?? 'nats-server';
  const port = opts.port ?? (await freePort());
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  const storeDir = await mkdtemp(join(tmpdir(), 'eg-nats-'));
  const args = ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)];
  let child: ChildProcess | undefined;
  let stopped = false;

  const start = async (): Promise<void> => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    child = proc;
    const log: string[] = [];
    const keep = (chunk: Buffer): void => {
      log.push(chunk.toString('utf8'));
      if (log.length > 50) log.shift();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const exited = new Promise<never>((_resolve, reject) => {
      proc.once('error', (err) => reject(new Error(`cannot start ${bin}`, { cause: err })));
      proc.once('exit', (code, signal) =>
        reject(new Error(`${bin} exited (code ${code}, signal ${signal}) before it was ready:\n${log.join('')}`)),
      );
    });
    proc.once('exit', () => running.delete(proc));
    proc.once('error', () => running.delete(proc));
    const giveUp = new AbortController();
    try {
      await Promise.race([waitForJetStream(port, startTimeoutMs, giveUp.signal), exited]);
    } catch (err) {
      await kill(proc);
      throw err;
    } finally {
      giveUp.abort();
      exited.catch(() => undefined);
    }
  };

  const halt = async (): Promise<void> => {
    if (child) await kill(child);
    child = undefined;
  };

  try {
    await start();
  } catch (err) {
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await rm(storeDir, { recursive: true, force: true });
    },
    async restart({ downMs = 0, whileDown }: { downMs?: number; whileDown?: () => Promise<void> } = {}) {
      if (stopped) throw new Error('nats-server fixture was stopped; it cannot be restarted');
      await halt();
      await whileDown?.();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
  };
}

/** SIGTERM (nats-server flushes its store), SIGKILL after a grace period. */
async function kill(proc: ChildProcess): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Polls until the server's INFO line says JetStream is on; the listener opens only after JetStream is up. */
async function waitForJetStream(port: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline && !signal.aborted) {
    try {
      const info = await readInfoLine(port);
      if (info.includes('"jetstream":true')) return;
      lastError = new Error(`nats-server answered without JetStream: ${info}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server on port ${port} not ready within ${timeoutMs} ms`, { cause: lastError });
}

function readInfoLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('no INFO within 1 s')));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(buffer.slice(0, end));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before INFO')));
  });
}
