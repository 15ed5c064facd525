import { TYPE_URLS } from '@eg/xds';
import type { NodeStatus, XdsStatusRegistry } from './node-status.ts';
import type { SnapshotCache } from './snapshot-cache.ts';

/** As `istioctl proxy-status` says it: the node runs what we serve, lags behind, or refused the latest. */
export type SyncState = 'SYNCED' | 'STALE' | 'NACKED';

export interface TypeSync {
  readonly state: SyncState;
  /** Envoy's error_detail when NACKED. */
  readonly error?: string;
}

export interface ProxyStatus {
  readonly nodeId: string;
  /** The fleet (IR key) the node belongs to. */
  readonly nodeCluster: string;
  readonly protocol: NodeStatus['protocol'];
  /** Keyed by the short type name: Listener, RouteConfiguration, Cluster, ClusterLoadAssignment, Secret. */
  readonly types: Readonly<Record<string, TypeSync>>;
}

/** Compares what every connected node acknowledged with what its fleet's snapshot holds now. */
export function proxyStatuses(status: XdsStatusRegistry, cache: SnapshotCache): ProxyStatus[] {
  return status.nodes().map((node) => {
    const snapshot = cache.get(node.node.cluster);
    const types: Record<string, TypeSync> = {};
    for (const typeUrl of Object.values(TYPE_URLS)) {
      const served = snapshot?.ofType(typeUrl) ?? new Map();
      const held = node.types[typeUrl];
      const short = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
      if (held?.rejected) {
        types[short] = { state: 'NACKED', error: held.rejected.message };
        continue;
      }
      const accepted = held?.accepted ?? {};
      const synced =
        Object.keys(accepted).length === served.size && [...served].every(([name, r]) => accepted[name] === r.version);
      types[short] = { state: synced ? 'SYNCED' : 'STALE' };
    }
    return { nodeId: node.node.id, nodeCluster: node.node.cluster, protocol: node.protocol, types };
  });
}
