import type { Entry, Snapshot, Update } from './types.ts';

/**
 * Folds a bucket's ordered stream of changes into snapshots: the first carries the whole state, later
 * ones the last update per key since the previous snapshot. Pure (no I/O, no clock) so the merge rules
 * are unit-tested; timing lives in subscription.ts.
 */
export class SnapshotCoalescer<T> {
  private readonly atCommit: boolean;
  /** The view consumers see; copied before a write once it has been handed out. */
  private view = new Map<string, Entry<T>>();
  private viewShared = false;
  /** The state in the last snapshot, to drop updates that cancel out (put then delete of a new key). */
  private lastState: ReadonlyMap<string, Entry<T>> = new Map();
  /** With atCommit: changes after the last commit marker, applied when the next marker arrives. */
  private staged: Update<T>[] = [];
  private readonly pending = new Map<string, Update<T>>();
  private caughtUp = false;
  /** True once the view is a state consumers may see: replay done and, with atCommit, committed. */
  private complete = false;
  private initialTaken = false;

  constructor(atCommit: boolean) {
    this.atCommit = atCommit;
  }

  put(entry: Entry<T>): void {
    this.change({ key: entry.key, type: 'put', entry });
  }

  delete(key: string): void {
    this.change({ key, type: 'delete' });
  }

  commit(): void {
    if (!this.atCommit) return;
    for (const update of this.staged) this.apply(update);
    this.staged = [];
    if (this.caughtUp) this.complete = true;
  }

  /** The initial replay of the bucket has been delivered. */
  replayDone(): void {
    this.caughtUp = true;
    // With atCommit, an uncommitted tail (a writer mid-batch) delays the first snapshot to the next commit.
    if (!this.atCommit || this.staged.length === 0) this.complete = true;
  }

  get initialSent(): boolean {
    return this.initialTaken;
  }

  ready(): boolean {
    return this.initialTaken ? this.pending.size > 0 : this.complete;
  }

  take(): Snapshot<T> | undefined {
    if (!this.ready()) return undefined;
    const initial = !this.initialTaken;
    const updates = initial ? [] : [...this.pending.values()];
    this.initialTaken = true;
    this.pending.clear();
    this.viewShared = true;
    this.lastState = this.view;
    return { initial, state: this.view, updates };
  }

  private change(update: Update<T>): void {
    if (this.atCommit) this.staged.push(update);
    else this.apply(update);
  }

  private apply(update: Update<T>): void {
    if (update.type === 'delete' && !this.view.has(update.key)) return;
    if (this.viewShared) {
      this.view = new Map(this.view);
      this.viewShared = false;
    }
    if (update.type === 'put') this.view.set(update.key, update.entry);
    else this.view.delete(update.key);
    if (!this.initialTaken) return;
    // Re-inserting moves the key to the end, so updates stay in the order of each key's last change.
    this.pending.delete(update.key);
    if (update.type === 'put' || this.lastState.has(update.key)) this.pending.set(update.key, update);
  }
}
