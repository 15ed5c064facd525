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

/** The resources of every fleet, keyed by the IR key (Envoy's node.cluster); streams watch their key. */
export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly watchers = new Map<string, Set<ChangeListener>>();

  /** Replaces a fleet's resources; watchers hear of it only when a version changed. */
  setSnapshot(key: string, resources: XdsResources, trace?: TraceContext): void {
    const current = this.snapshots.get(key);
    if (current && sameVersions(current.resources, resources)) return;
    this.snapshots.set(key, new Snapshot(resources, trace));
    this.notify(key);
  }

  /** Forgets a fleet; its connected Envoys are told to remove everything. */
  deleteSnapshot(key: string): void {
    if (this.snapshots.delete(key)) this.notify(key);
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
