import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { Leadership, type Lease } from '@eg/bus';

export interface KubeLeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly holder: string;
  /** Envoy Gateway's defaults: 15 s lease, renewed every 5 s, given up after 10 s without renewal. */
  readonly durationMs?: number;
  readonly onError?: (err: unknown) => void;
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiException && (err.code === 409 || err.code === 404);
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection: compare-and-swap through
 * resourceVersion, renew every third of the duration, stop leading after two thirds without a renewal.
 */
export class KubeLease implements Lease {
  readonly name: string;
  readonly holder: string;
  private readonly api: CoordinationV1Api;
  private readonly namespace: string;
  private readonly durationMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly leadership: Leadership;
  private stopped = false;
  private current: V1Lease | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(kc: KubeConfig, opts: KubeLeaseOptions) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.namespace = opts.namespace;
    this.name = opts.name;
    this.holder = opts.holder;
    this.durationMs = opts.durationMs ?? 15_000;
    this.onError = opts.onError ?? (() => undefined);
    this.leadership = new Leadership(opts.name);
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
    const wasLeader = this.leadership.isLeader();
    this.leadership.lost();
    if (!wasLeader || !this.current) return;
    try {
      // As client-go: an empty holder with a 1 s duration lets a standby take over at once.
      await this.api.replaceNamespacedLease({
        namespace: this.namespace,
        name: this.name,
        body: { ...this.current, spec: { ...this.current.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
      });
    } catch (err) {
      if (!isConflict(err)) this.onError(err);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.ticking = this.tick();
    }, ms);
  }

  private spec(acquired: boolean): V1Lease['spec'] {
    const now = new V1MicroTime();
    return {
      holderIdentity: this.holder,
      leaseDurationSeconds: Math.max(1, Math.round(this.durationMs / 1000)),
      renewTime: now,
      ...(acquired ? { acquireTime: now } : { acquireTime: this.current?.spec?.acquireTime }),
    };
  }

  private async tick(): Promise<void> {
    let next = this.durationMs / 3;
    const startedAt = Date.now();
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name });
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
      if (!lease) {
        this.current = await this.api.createNamespacedLease({
          namespace: this.namespace,
          body: { metadata: { name: this.name, namespace: this.namespace }, spec: this.spec(true) },
        });
        this.leadership.renewed(startedAt, (this.durationMs * 2) / 3);
      } else {
        const spec = lease.spec ?? {};
        const renewedAt = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
        const expiresAt = renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000;
        const ours = spec.holderIdentity === this.holder;
        if (ours || !spec.holderIdentity || expiresAt < Date.now()) {
          this.current = lease;
          this.current = await this.api.replaceNamespacedLease({
            namespace: this.namespace,
            name: this.name,
            body: { ...lease, spec: this.spec(!ours) },
          });
          this.leadership.renewed(startedAt, (this.durationMs * 2) / 3);
        } else {
          this.leadership.lost();
          next = Math.min(next, Math.max(5, expiresAt - Date.now() + 5));
        }
      }
    } catch (err) {
      if (isConflict(err)) this.leadership.lost();
      else this.onError(err);
    }
    this.schedule(this.leadership.isLeader() ? this.durationMs / 3 : next);
  }
}
