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
export class XdsStatusRegistry {
  private readonly streams = new Map<number, StreamRecord>();

  open(streamId: number, node: Node, protocol: XdsProtocol): void {
    this.streams.set(streamId, { node, protocol, types: new Map() });
    connectedProxies.inc({ protocol });
  }

  acknowledged(streamId: number, typeUrl: string, accepted: ReadonlyMap<string, string>): void {
    this.streams.get(streamId)?.types.set(typeUrl, { accepted: Object.fromEntries(accepted) });
  }

  rejected(streamId: number, typeUrl: string, rejection: Rejection): void {
    const record = this.streams.get(streamId);
    if (!record) return;
    record.types.set(typeUrl, { accepted: record.types.get(typeUrl)?.accepted ?? {}, rejected: rejection });
  }

  close(streamId: number): void {
    const record = this.streams.get(streamId);
    if (record) connectedProxies.dec({ protocol: record.protocol });
    this.streams.delete(streamId);
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
