import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@eg/service';

export interface EnvoyProcessOptions {
  readonly name: string;
  readonly binary: string;
  readonly bootstrap: object;
  readonly logLevel: string;
  readonly drainTimeSeconds: number;
  readonly log: Logger;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * One Envoy child process, restarted with backoff when it exits on its own. Its admin address is read from
 * the file Envoy writes, because host mode asks for a random admin port so several fleets fit on one host.
 */
export class EnvoyProcess {
  private readonly opts: EnvoyProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private dir: string | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(opts: EnvoyProcessOptions) {
    this.opts = opts;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get name(): string {
    return this.opts.name;
  }

  /** The file Envoy writes its admin `host:port` to once started. */
  get adminAddressPath(): string | undefined {
    return this.dir && join(this.dir, 'admin-address');
  }

  async start(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), `eg-${this.opts.name}-`));
    await writeFile(join(this.dir, 'bootstrap.json'), JSON.stringify(this.opts.bootstrap, null, 2));
    this.launch();
  }

  /** `host:port` of Envoy's admin listener once it is up. */
  async adminAddress(): Promise<string | undefined> {
    if (!this.dir) return undefined;
    try {
      return (await readFile(join(this.dir, 'admin-address'), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private launch(): void {
    const dir = this.dir!;
    const { log } = this.opts;
    const child = spawn(
      this.opts.binary,
      [
        '--config-path',
        join(dir, 'bootstrap.json'),
        '--admin-address-path',
        join(dir, 'admin-address'),
        '--use-dynamic-base-id',
        '--log-level',
        this.opts.logLevel,
        '--drain-strategy',
        'immediate',
        '--drain-time-s',
        String(this.opts.drainTimeSeconds),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => log.info('envoy', { proxy: this.opts.name, line }));
    }
    child.once('error', (err) => log.error('cannot start envoy', { proxy: this.opts.name, err }));
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.restarts++);
      log.warn('envoy exited; restarting', { proxy: this.opts.name, code, signal, delayMs: delay });
      this.restartTimer = setTimeout(() => this.launch(), delay);
    });
    log.info('envoy started', { proxy: this.opts.name, pid: child.pid });
  }

  /** SIGTERM, then SIGKILL if Envoy has not drained within its drain time plus a margin. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), (this.opts.drainTimeSeconds + 5) * 1000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
