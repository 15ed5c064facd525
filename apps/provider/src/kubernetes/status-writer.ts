import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Lease } from '@eg/bus';
import type { ResourceStatus } from '@eg/ir';
import type { Logger } from '@eg/service';
import type { ClusterCache } from './cluster-cache.ts';
import { ROUTE_KINDS, WATCHED_KINDS } from './kinds.ts';
import { gatewayInfraState, mergeStatus } from './status-merge.ts';
import type { RawObject } from './reachable.ts';

export interface StatusWriterOptions {
  readonly kc: KubeConfig;
  readonly cache: ClusterCache;
  readonly lease: Lease;
  readonly log: Logger;
  /** Changes arriving within this window are written together: a burst of routes costs few writes. */
  readonly coalesceMs?: number;
  /** Writes in flight at once. */
  readonly concurrency?: number;
}

const RETRY_MS = 200;

/**
 * Writes the translator's statuses to the status subresource, only while holding the lease. Each object is
 * written only when its merged status differs from the live one, with the live resourceVersion, so a
 * concurrent change is retried against the newer object instead of being overwritten.
 */
export class StatusWriter {
  private readonly api: CustomObjectsApi;
  private readonly opts: StatusWriterOptions;
  private desired = new Map<string, ResourceStatus>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: StatusWriterOptions) {
    this.opts = opts;
    this.api = opts.kc.makeApiClient(CustomObjectsApi);
    opts.lease.onChange((leader) => {
      if (leader) this.markAll();
    });
  }

  /** The translator's current statuses by bus key. */
  setDesired(next: ReadonlyMap<string, ResourceStatus>): void {
    const desired = new Map(next);
    for (const [key, status] of next) {
      if (this.desired.get(key) !== status) this.pending.add(key);
    }
    // A route we no longer serve keeps other controllers' parents but must lose ours.
    for (const [key, status] of this.desired) {
      if (next.has(key) || !ROUTE_KINDS.has(status.kind)) continue;
      if (isTombstone(status)) {
        desired.set(key, status);
        continue;
      }
      desired.set(key, { ...status, status: { parents: [] } });
      this.pending.add(key);
    }
    this.desired = desired;
    this.schedule();
  }

  /** Objects of `kind` changed in the cluster: their statuses may need writing again. */
  objectsChanged(kind: string): void {
    // The Envoy Service and Deployment feed Gateway addresses and Programmed.
    const affected = kind === 'Service' || kind === 'Deployment' ? 'Gateway' : kind;
    for (const [key, status] of this.desired) if (status.kind === affected) this.pending.add(key);
    this.schedule();
  }

  private markAll(): void {
    for (const key of this.desired.keys()) this.pending.add(key);
    this.schedule();
  }

  private schedule(delay = this.opts.coalesceMs ?? 100): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delay);
  }

  private async flush(): Promise<void> {
    if (!this.opts.lease.isLeader() || this.pending.size === 0) return;
    const keys = [...this.pending];
    this.pending.clear();
    let retry = false;
    const queue = [...keys];
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        const status = this.desired.get(key);
        if (!status) continue;
        try {
          await this.write(status);
        } catch (err) {
          if (err instanceof ApiException && err.code === 404) continue; // deleted meanwhile
          if (!(err instanceof ApiException && err.code === 409)) {
            this.opts.log.warn('status write failed', { key, err });
          }
          this.pending.add(key);
          retry = true;
        }
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency ?? 8 }, worker));
    if (retry) this.schedule(RETRY_MS);
  }

  private async write(status: ResourceStatus): Promise<void> {
    const { cache } = this.opts;
    const live = cache.get(status.kind, status.namespace, status.name) as
      (RawObject & { status?: unknown }) | undefined;
    if (!live) return; // not in the cache yet: the informer event will mark it again
    const generation = live.metadata?.generation ?? 1;
    const infra =
      status.kind === 'Gateway' ? gatewayInfraState(live, cache.list('Service'), cache.list('Deployment')) : undefined;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const merged = mergeStatus(status.kind, status.status, live.status, now, infra, generation);
    if (sameStatus(merged, live.status)) return;
    const kind = WATCHED_KINDS.find((k) => k.kind === status.kind);
    if (!kind) return;
    const [group, version] = kind.apiVersion.split('/') as [string, string];
    const body = { ...live, status: merged };
    if (kind.namespaced) {
      await this.api.replaceNamespacedCustomObjectStatus({
        group,
        version,
        namespace: status.namespace!,
        plural: kind.plural,
        name: status.name,
        body,
      });
    } else {
      await this.api.replaceClusterCustomObjectStatus({ group, version, plural: kind.plural, name: status.name, body });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flushing;
  }
}

function isTombstone(status: ResourceStatus): boolean {
  const parents = (status.status as { parents?: unknown[] } | undefined)?.parents;
  return Array.isArray(parents) && parents.length === 0;
}

/** Equal apart from key order and lastTransitionTime (which only changes along with a status). */
function sameStatus(next: unknown, live: unknown): boolean {
  return canonical(next) === canonical(live ?? {});
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (key === 'lastTransitionTime') return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
