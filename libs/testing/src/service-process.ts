import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One JSON log record a service printed (libs/service's logger: one object per line). */
export type LogRecord = Record<string, unknown> & { readonly msg: string };

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Every JSON record printed so far, oldest first. */
  readonly logs: readonly LogRecord[];
  /** Resolves with the first record (already printed or still to come) that `match` accepts. */
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** SIGTERM, SIGKILL after 5 s; resolves with the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class LogWaitTimeoutError extends Error {
  override readonly name = 'LogWaitTimeoutError';
}

/** Runs a service's `main.ts` under this Node as its own process, collecting its JSON logs. */
export function startServiceProcess(script: string, args: readonly string[]): ServiceProcess {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const logs: LogRecord[] = [];
  const waiters = new Set<(record: LogRecord) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      return; // not a log record (e.g. a library printing plain text)
    }
    logs.push(record);
    for (const waiter of waiters) waiter(record);
  });

  return {
    child,
    logs,
    waitForLog(match, timeoutMs = 15_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = (record: LogRecord): void => {
          if (!match(record)) return;
          done();
          resolve(record);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new LogWaitTimeoutError(
              `no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(logs.at(-1))}`,
            ),
          );
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}
