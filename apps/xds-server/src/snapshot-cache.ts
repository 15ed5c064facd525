import type { TraceContext } from '@eg/telemetry';
import { resourcesOfType, type XdsResource, type XdsResources } from '@eg/xds';

/** One fleet's resources, looked up by type and name. */
export class Snapshot {
  readonly resources: XdsResources;
  /** The change that produced this snapshot; pushes of it join that trace. */
  readonly trace: TraceContext | undefined;
  private readonly byType = new Map<string, ReadonlyMap<string, XdsResource>>();

  constructor(resources: XdsResources, trace?: TraceContext) {
    this.resources = resources;
    this.trace = trace;
  }

  /** The resources of one type by name, in name order. */
  ofType(typeUrl: string): ReadonlyMap<string, XdsResource> {
    let index = this.byType.get(typeUrl);
    if (!index) {
      index = new Map(resourcesOfType(this.resources, typeUrl).map((r) => [r.name, r]));
      this.byType.set(typeUrl, index);
    }
    return index;
  }
}

/** What a stream serves once its fleet's snapshot was deleted: nothing. */
export const EMPTY_SNAPSHOT = new Snapshot({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] });

type ChangeListener = () => void;

/** Acknowledged snapshots kept per fleet: enough that one refused after another Envoy took it leaves a good one. */
const ACKED_HISTORY = 3;

/** The resources of every fleet, keyed by the IR key (Envoy's node.cluster); streams watch their key. */
export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watchers = new Map<string, Set<ChangeListener>>();
  /** Per fleet, the latest snapshots an Envoy acknowledged in full, newest first (a short history). */
  private readonly acked = new Map<string, Snapshot[]>();
  /** Snapshots some Envoy refused; weak so replaced ones go. */
  private readonly refused = new WeakSet<Snapshot>();

  /** Replaces a fleet's resources; watchers hear of it only when a version changed. */
  setSnapshot(key: string, resources: XdsResources, trace?: TraceContext): void {
    const current = this.snapshots.get(key);
    if (current && sameVersions(current.resources, resources)) return;
    this.snapshots.set(key, new Snapshot(resources, trace));
    this.notify(key);
  }

  /** Forgets a fleet; its connected Envoys are told to remove everything. */
  deleteSnapshot(key: string): void {
    this.acked.delete(key);
    if (this.snapshots.delete(key)) this.notify(key);
  }

  /** An Envoy of fleet `key` acknowledged every resource of `snapshot`. */
  acknowledged(key: string, snapshot: Snapshot): void {
    const history = this.acked.get(key) ?? [];
    if (this.snapshots.get(key) !== snapshot || history[0] === snapshot) return;
    this.acked.set(key, [snapshot, ...history].slice(0, ACKED_HISTORY));
  }

  /** An Envoy refused part of `snapshot`; even if another Envoy took it, it is not a known good one. */
  refusedBy(snapshot: Snapshot): void {
    this.refused.add(snapshot);
  }

  /**
   * What a newly connected Envoy of fleet `key` is served: the current snapshot, or while another Envoy refused
   * it, the last one an Envoy acknowledged, so new proxies start from a config known to load.
   */
  forNewStream(key: string): Snapshot | undefined {
    const current = this.snapshots.get(key);
    if (!current || !this.refused.has(current)) return current;
    return this.acked.get(key)?.find((s) => !this.refused.has(s)) ?? current;
  }

  get(key: string): Snapshot | undefined {
    return this.snapshots.get(key);
  }

  keys(): string[] {
    return [...this.snapshots.keys()].sort();
  }

  /** Calls `listener` after every change of `key`; returns the function that stops it. */
  watch(key: string, listener: ChangeListener): () => void {
    let listeners = this.watchers.get(key);
    if (!listeners) {
      listeners = new Set();
      this.watchers.set(key, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watchers.delete(key);
    };
  }

  private notify(key: string): void {
    for (const listener of [...(this.watchers.get(key) ?? [])]) listener();
  }
}

function sameVersions(a: XdsResources, b: XdsResources): boolean {
  const kinds = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const;
  return kinds.every(
    (kind) =>
      a[kind].length === b[kind].length &&
      a[kind].every((r, i) => r.name === b[kind][i]?.name && r.version === b[kind][i]?.version),
  );
}
