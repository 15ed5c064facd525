import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEnvoyBinary } from '@eg/envoy-binary';

export interface EnvoyFixture {
  /** Envoy's admin port on 127.0.0.1 (read back from Envoy when the bootstrap asks for port 0). */
  readonly adminPort: number;
  /** Stops Envoy and removes its files. Safe to call twice. */
  stop(): Promise<void>;
  /** GET /config_dump from the admin API. */
  configDump(): Promise<unknown>;
  /** Everything Envoy wrote to stdout and stderr so far. */
  logs(): string;
}

export interface EnvoyOptions {
  /** The bootstrap configuration (e.g. renderBootstrap of @eg/xds). */
  readonly bootstrap: object;
  /** Default `warn`. */
  readonly logLevel?: string;
  /** How long to wait for the admin API; default 20 s. */
  readonly startTimeoutMs?: number;
}

export class EnvoyFixtureError extends Error {
  override readonly name = 'EnvoyFixtureError';
}

const STOP_GRACE_MS = 5000;
const MAX_LOG_CHARS = 1 << 20;

// Children still running when this process exits are killed, so a failed test never leaves Envoy behind.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a real Envoy with `bootstrap` and waits until its admin API answers. */
export async function startEnvoy(opts: EnvoyOptions): Promise<EnvoyFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-envoy-'));
  const configPath = join(dir, 'bootstrap.json');
  const adminAddressPath = join(dir, 'admin-address');
  await writeFile(configPath, JSON.stringify(opts.bootstrap, null, 2));
  const args = [
    '--config-path',
    configPath,
    '--admin-address-path',
    adminAddressPath,
    // Several Envoys run side by side in tests; each needs its own shared-memory base id.
    '--use-dynamic-base-id',
    '--log-level',
    opts.logLevel ?? 'warn',
  ];
  const child = spawn(findEnvoyBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kill(child);
    await rm(dir, { recursive: true, force: true });
  };

  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', (err) => reject(new EnvoyFixtureError('cannot start Envoy', { cause: err })));
    child.once('exit', (code, signal) =>
      reject(new EnvoyFixtureError(`Envoy exited (code ${code}, signal ${signal}) before it was ready:\n${log}`)),
    );
  });
  exited.catch(() => undefined);
  let adminPort: number;
  try {
    adminPort = await Promise.race([waitForAdmin(adminAddressPath, opts.startTimeoutMs ?? 20_000), exited]);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    adminPort,
    stop,
    async configDump() {
      const response = await fetch(`http://127.0.0.1:${adminPort}/config_dump`);
      if (!response.ok) throw new EnvoyFixtureError(`config_dump answered ${response.status}`);
      return (await response.json()) as unknown;
    },
    logs: () => log,
  };
}

/** Reads the admin address Envoy writes once the admin listener is bound, then waits for it to answer. */
async function waitForAdmin(adminAddressPath: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      const address = (await readFile(adminAddressPath, 'utf8')).trim();
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      const response = await fetch(`http://127.0.0.1:${port}/server_info`);
      await response.body?.cancel();
      if (response.ok) return port;
      lastError = new EnvoyFixtureError(`admin answered ${response.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new EnvoyFixtureError(`Envoy admin not ready within ${timeoutMs} ms`, { cause: lastError });
}

/** SIGTERM (Envoy exits at once), SIGKILL after a grace period. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
