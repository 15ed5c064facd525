import { BusError } from './errors.ts';

/**
 * The leader-or-standby state a lease reports, whatever store it campaigns in: listeners told of every
 * change, and a renew deadline after which leadership lapses on its own unless renewed again, so a holder
 * that cannot reach its store stops acting before a standby takes over.
 */
export class Leadership {
  private leader = false;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly leaseName: string;

  constructor(leaseName: string) {
    this.leaseName = leaseName;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  whenLeader(signal?: AbortSignal): Promise<void> {
    if (this.leader) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        remove();
        reject(new BusError(`stopped waiting for lease ${this.leaseName}`, { cause: signal?.reason }));
      };
      const remove = this.onChange((leader) => {
        if (!leader) return;
        remove();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A renewal that was sent at `startedAt` (wall-clock ms) leads until `renewDeadlineMs` after it; one held up
   * past that (say, buffered across a reconnect) renews too little to lead on.
   */
  renewed(startedAt: number, renewDeadlineMs: number): void {
    clearTimeout(this.deadlineTimer);
    const remaining = startedAt + renewDeadlineMs - Date.now();
    if (remaining <= 0) {
      this.lost();
      return;
    }
    this.deadlineTimer = setTimeout(() => this.lost(), remaining);
    this.set(true);
  }

  lost(): void {
    clearTimeout(this.deadlineTimer);
    this.set(false);
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    for (const listener of [...this.listeners]) listener(leader);
  }
}
