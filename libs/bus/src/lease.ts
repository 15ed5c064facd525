import type { KV } from '@nats-io/kv';
import { BusError } from './errors.ts';
import { isWrongLastSequence } from './jetstream-errors.ts';
import { encodeKey } from './key-codec.ts';
import { Leadership } from './leadership.ts';
import type { Lease, LeaseOptions } from './types.ts';

/** Envoy Gateway's default lease duration. */
export const DEFAULT_LEASE_TTL_MS = 15_000;

/** The lease record. Expiry lives in the value because nats-server 2.9 ignores per-key TTLs. */
interface LeaseRecord {
  readonly holder: string;
  /** Wall-clock ms; a standby judges it by its own clock. */
  readonly expiresAt: number;
}

/**
 * Leader election by compare-and-swap on one KV key. The leader renews every ttl/3 and steps down on its
 * own when it could not renew for 2/3 of the ttl (as Envoy Gateway's renew deadline of 10 s in 15 s),
 * so it has stopped acting before a standby's clock passes the expiry and the standby takes over.
 */
export class KvLease implements Lease {
  readonly name: string;
  readonly holder: string;
  private readonly key: string;
  private readonly ttlMs: number;
  private readonly openBucket: () => Promise<KV>;
  private readonly onError: (err: Error) => void;
  private readonly leadership: Leadership;
  /** Revision of the record this holder wrote last, while it leads. */
  private revision = 0;
  private stopped = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(openBucket: () => Promise<KV>, name: string, holder: string, opts: LeaseOptions = {}) {
    this.openBucket = openBucket;
    this.name = name;
    this.holder = holder;
    this.key = encodeKey(name);
    this.ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.onError = opts.onError ?? (() => undefined);
    this.leadership = new Leadership(name);
    this.schedule(0);
  }

  isLeader(): boolean {
    return this.leadership.isLeader();
  }

  onChange(listener: (leader: boolean) => void): () => void {
    return this.leadership.onChange(listener);
  }

  whenLeader(signal?: AbortSignal): Promise<void> {
    return this.leadership.whenLeader(signal);
  }

  async release(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    await this.ticking;
    const revision = this.revision;
    const wasLeader = this.leadership.isLeader();
    this.leadership.lost();
    if (!wasLeader) return;
    try {
      await (await this.openBucket()).delete(this.key, { previousSeq: revision });
    } catch (err) {
      // The record then simply expires; a standby takes over after the ttl instead of at once.
      if (!isWrongLastSequence(err)) this.onError(new BusError(`cannot release lease ${this.name}`, { cause: err }));
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.ticking = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    let next = this.ttlMs / 3;
    try {
      const kv = await this.openBucket();
      if (this.leadership.isLeader()) {
        await this.write(kv, this.revision);
      } else {
        const entry = await kv.get(this.key);
        if (entry === null || entry.operation !== 'PUT') {
          await this.write(kv, entry?.revision ?? 0);
        } else {
          const record = this.parse(entry.value);
          const now = Date.now();
          if (record === undefined || record.holder === this.holder || record.expiresAt < now) {
            // Ours from an earlier run of this holder, expired, or unreadable: take it over.
            await this.write(kv, entry.revision);
          } else {
            // Look again just after the current holder's lease expires.
            next = Math.min(next, record.expiresAt - now + 5);
          }
        }
      }
    } catch (err) {
      if (isWrongLastSequence(err)) {
        // Another holder wrote first.
        this.leadership.lost();
      } else {
        this.onError(new BusError(`cannot campaign for lease ${this.name}`, { cause: err }));
      }
    }
    if (this.stopped && this.leadership.isLeader()) return; // release() gives it up
    this.schedule(this.leadership.isLeader() ? this.ttlMs / 3 : Math.max(1, next));
  }

  /** Writes this holder's record if the key is still at `previousRevision`; throws if another wrote. */
  private async write(kv: KV, previousRevision: number): Promise<void> {
    const startedAt = Date.now();
    const record: LeaseRecord = { holder: this.holder, expiresAt: startedAt + this.ttlMs };
    this.revision = await kv.put(this.key, JSON.stringify(record), { previousSeq: previousRevision });
    this.leadership.renewed(startedAt, (this.ttlMs * 2) / 3);
  }

  private parse(value: Uint8Array): LeaseRecord | undefined {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(value).toString('utf8'));
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'holder' in parsed &&
        'expiresAt' in parsed &&
        typeof parsed.holder === 'string' &&
        typeof parsed.expiresAt === 'number'
      ) {
        return { holder: parsed.holder, expiresAt: parsed.expiresAt };
      }
    } catch {
      // reported below
    }
    this.onError(new BusError(`lease ${this.name} holds an unreadable record; taking it over`));
    return undefined;
  }
}
