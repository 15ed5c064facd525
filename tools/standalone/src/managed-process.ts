import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** `/readyz` URL polled after start; absent means started = ready. */
  readonly readyUrl?: string;
}

const live = new Set<ChildProcess>();
// Children in their own process group outlive a crashed launcher unless killed on the way out.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const RECENT_LINES = 15;

export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
}

/** A child process the launcher owns: output forwarded line by line, stopped with SIGTERM then SIGKILL. */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly output: (name: string, line: string) => void;
  /** What the process printed last, to say why it did not start. */
  private readonly recent: string[] = [];

  constructor(spec: ProcessSpec, output: (name: string, line: string) => void) {
    this.spec = spec;
    this.output = output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits for `readyUrl`; `signal` cuts the wait short (the caller then stops it). */
  async start(readyTimeoutMs = 20_000, signal?: AbortSignal): Promise<void> {
    const child = spawn(this.spec.command, [...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only the launcher, which stops children in order.
      detached: true,
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.recent.push(line);
        if (this.recent.length > RECENT_LINES) this.recent.shift();
        this.output(this.spec.name, line);
      });
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new ProcessStartError(`cannot start ${this.spec.name}`, { cause: err })));
    });
    if (this.spec.readyUrl) await this.waitReady(this.spec.readyUrl, readyTimeoutMs, signal);
  }

  private async waitReady(url: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      if (!this.running) {
        // The last lines may still be in the pipe when the exit is seen.
        await new Promise((r) => setTimeout(r, 100));
        throw new ProcessStartError(`${this.spec.name} exited before it was ready${this.lastLines()}`);
      }
      try {
        const res = await fetch(url);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new ProcessStartError(`${this.spec.name} not ready within ${timeoutMs} ms (${url})${this.lastLines()}`);
  }

  private lastLines(): string {
    return this.recent.length === 0 ? '' : `; its last lines:\n${this.recent.join('\n')}`;
  }

  /** Graceful stop; SIGKILL when the process has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Hard kill, as a crash would. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
