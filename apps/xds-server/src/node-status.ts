import type { Node } from '@eg/xds';
import { connectedProxies } from './metrics.ts';

export type XdsProtocol = 'delta' | 'sotw';

/** A NACK: Envoy's error_detail and the versions it refused. */
export interface Rejection {
  readonly message: string;
  readonly versions: Readonly<Record<string, string>>;
}

export interface TypeStatus {
  /** Versions of the resources the node acknowledged, by name. */
  readonly accepted: Readonly<Record<string, string>>;
  /** The last NACK, until a later response of this type is acknowledged. */
  readonly rejected?: Rejection;
}

/** What one connected Envoy (one stream) holds, per resource type URL. */
export interface NodeStatus {
  readonly streamId: number;
  readonly node: Node;
  readonly protocol: XdsProtocol;
  readonly types: Readonly<Record<string, TypeStatus>>;
}

interface StreamRecord {
  readonly node: Node;
  readonly protocol: XdsProtocol;
  readonly types: Map<string, TypeStatus>;
}

/** ACKs and NACKs of every connected Envoy, so operators and tests can see what each proxy really runs. */
/** Who hears about NACKs: metrics and logs per NACK, the status publisher per change of a node's refusals. */
export interface StatusObserver {
  rejected?(node: Node, typeUrl: string, rejection: Rejection): void;
  /** The types a node currently refuses, with Envoy's message; `{}` once it refuses nothing or is gone. */
  rejectionsChanged?(node: Node, rejected: Readonly<Record<string, string>>): void;
}

export class XdsStatusRegistry {
  private readonly streams = new Map<number, StreamRecord>();
  private readonly observer: StatusObserver;

  constructor(observer: StatusObserver = {}) {
    this.observer = observer;
  }

  open(streamId: number, node: Node, protocol: XdsProtocol): void {
    this.streams.set(streamId, { node, protocol, types: new Map() });
    connectedProxies.inc({ protocol });
    // A node that reconnects here refuses nothing yet; this clears what a replica that died left behind.
    this.observer.rejectionsChanged?.(node, {});
  }

  acknowledged(streamId: number, typeUrl: string, accepted: ReadonlyMap<string, string>): void {
    const record = this.streams.get(streamId);
    if (!record) return;
    const wasRejected = record.types.get(typeUrl)?.rejected !== undefined;
    record.types.set(typeUrl, { accepted: Object.fromEntries(accepted) });
    if (wasRejected) this.observer.rejectionsChanged?.(record.node, rejections(record));
  }

  rejected(streamId: number, typeUrl: string, rejection: Rejection): void {
    const record = this.streams.get(streamId);
    if (!record) return;
    record.types.set(typeUrl, { accepted: record.types.get(typeUrl)?.accepted ?? {}, rejected: rejection });
    this.observer.rejected?.(record.node, typeUrl, rejection);
    this.observer.rejectionsChanged?.(record.node, rejections(record));
  }

  close(streamId: number): void {
    const record = this.streams.get(streamId);
    if (record) connectedProxies.dec({ protocol: record.protocol });
    this.streams.delete(streamId);
    if (record && Object.keys(rejections(record)).length > 0) this.observer.rejectionsChanged?.(record.node, {});
  }

  /** Connected nodes, optionally only those of one fleet (node.cluster), in connection order. */
  nodes(nodeCluster?: string): NodeStatus[] {
    return [...this.streams.entries()]
      .filter(([, r]) => nodeCluster === undefined || r.node.cluster === nodeCluster)
      .map(([streamId, r]) => ({
        streamId,
        node: r.node,
        protocol: r.protocol,
        types: Object.fromEntries(r.types),
      }));
  }
}

function rejections(record: StreamRecord): Record<string, string> {
  const refused: Record<string, string> = {};
  for (const [typeUrl, status] of record.types) if (status.rejected) refused[typeUrl] = status.rejected.message;
  return refused;
}
