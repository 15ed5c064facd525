import { endSpan, startSpan, type Span } from '@eg/telemetry';
import type { ErrorDetail, Node } from '@eg/xds';
import { XdsProtocolError } from './errors.ts';
import { acks, nacks, pushes } from './metrics.ts';
import type { XdsProtocol, XdsStatusRegistry } from './node-status.ts';
import { PUSH_GROUPS, type PushStep } from './push-order.ts';
import { EMPTY_SNAPSHOT, type Snapshot, type SnapshotCache } from './snapshot-cache.ts';

/** A response a protocol planned for one push step; nothing changes until it is committed. */
export interface PlannedResponse {
  readonly typeUrl: string;
  /** Versions of the resources the response carries. */
  readonly versions: ReadonlyMap<string, string>;
  /** What the node holds of this type once it accepts the response. */
  accepted(previous: ReadonlyMap<string, string>): Map<string, string>;
  /** Records the response as sent and writes it to the stream. */
  commit(nonce: string): void;
}

export type Planner = (step: PushStep, snapshot: Snapshot) => PlannedResponse | undefined;

/** What the gRPC layer gives a protocol stream. */
export interface AdsStreamOptions<Response> {
  readonly streamId: number;
  readonly cache: SnapshotCache;
  readonly status: XdsStatusRegistry;
  readonly send: (response: Response) => void;
  /** Ends the stream after an unexpected error. */
  readonly fail: (err: unknown) => void;
  /** After this long without an ACK or NACK a response counts as lost, so one silent reply cannot stall the stream. */
  readonly ackTimeoutMs: number;
}

export interface StreamCoreOptions extends Omit<AdsStreamOptions<unknown>, 'send'> {
  readonly protocol: XdsProtocol;
  readonly plan: Planner;
}

interface Outstanding {
  readonly nonce: string;
  readonly response: PlannedResponse;
  /** The snapshot the response was planned from. */
  readonly snapshot: Snapshot;
  readonly timer: NodeJS.Timeout;
  /** From the push to Envoy's ACK or NACK: the end of a change's trace. */
  readonly span: Span;
}

/**
 * What delta and state-of-the-world streams share: the node and its snapshot, the push order (a group goes
 * out once Envoy acknowledged the groups before it), at most one response in flight per type, and the
 * ACK/NACK records.
 */
export class StreamCore {
  private readonly opts: StreamCoreOptions;
  private nodeKey: string | undefined;
  private nodeId = '';
  private unwatch: (() => void) | undefined;
  private readonly outstanding = new Map<string, Outstanding>();
  private readonly accepted = new Map<string, ReadonlyMap<string, string>>();
  /** Per type, the versions of its latest response if Envoy refused it. */
  private readonly rejected = new Map<string, ReadonlyMap<string, string>>();
  /** Types whose last response went unanswered: what the node holds of them is unknown. */
  private readonly unanswered = new Set<string>();
  private nonces = 0;
  private servedSnapshot = false;
  /** The last acknowledged snapshot a new stream serves until its fleet's snapshot changes (see forNewStream). */
  private pinned: Snapshot | undefined;
  private closed = false;

  constructor(opts: StreamCoreOptions) {
    this.opts = opts;
  }

  /** Identifies the stream by the node of its first request and starts following that node's snapshot. */
  start(node: Node | undefined): void {
    if (this.nodeKey !== undefined) return;
    if (!node) throw new XdsProtocolError('the first request of a stream must carry the node');
    this.nodeKey = node.cluster;
    this.nodeId = node.id;
    this.opts.status.open(this.opts.streamId, node, this.opts.protocol);
    const current = this.opts.cache.get(node.cluster);
    const initial = this.opts.cache.forNewStream(node.cluster);
    if (initial !== current) this.pinned = initial;
    this.unwatch = this.opts.cache.watch(node.cluster, () => {
      this.pinned = undefined;
      this.pumpSafely();
    });
  }

  /** Handles the ACK or NACK in a request; a nonce other than the one in flight acknowledges nothing. */
  resolve(typeUrl: string, nonce: string, errorDetail: ErrorDetail | undefined): void {
    const outstanding = this.outstanding.get(typeUrl);
    if (!outstanding || nonce !== outstanding.nonce) return;
    clearTimeout(outstanding.timer);
    this.outstanding.delete(typeUrl);
    const { response, span } = outstanding;
    this.unanswered.delete(typeUrl);
    span.setAttribute('xds.ack', !errorDetail);
    endSpan(span, errorDetail ? new Error(`NACK: ${errorDetail.message}`) : undefined);
    if (errorDetail) nacks.inc({ node_cluster: this.nodeKey ?? '', type_url: typeUrl });
    else acks.inc({ type_url: typeUrl });
    if (errorDetail) {
      this.opts.cache.refusedBy(outstanding.snapshot);
      this.rejected.set(typeUrl, response.versions);
      this.opts.status.rejected(this.opts.streamId, typeUrl, {
        message: errorDetail.message,
        versions: Object.fromEntries(response.versions),
      });
      return;
    }
    this.rejected.delete(typeUrl);
    const accepted = response.accepted(this.accepted.get(typeUrl) ?? new Map());
    this.accepted.set(typeUrl, accepted);
    this.opts.status.acknowledged(this.opts.streamId, typeUrl, accepted);
  }

  /** Records what a reconnecting node reports it already holds, as if it had acknowledged it here. */
  holds(typeUrl: string, versions: ReadonlyMap<string, string>): void {
    if (versions.size === 0) return;
    this.accepted.set(typeUrl, versions);
    this.opts.status.acknowledged(this.opts.streamId, typeUrl, versions);
  }

  /** Sends what the first unsettled push group has to send. */
  pump(): void {
    if (this.closed || this.nodeKey === undefined) return;
    const current = this.pinned ?? this.opts.cache.get(this.nodeKey);
    // A new stream waits for its fleet's first snapshot; a deleted snapshot empties a served node.
    if (!current && !this.servedSnapshot) return;
    const snapshot = current ?? EMPTY_SNAPSHOT;
    for (const group of PUSH_GROUPS) {
      if (group.phase === 'removal' && this.refusedConfigPending(snapshot)) return;
      let settled = true;
      for (const typeUrl of group.typeUrls) {
        if (this.outstanding.has(typeUrl)) {
          settled = false;
          continue;
        }
        const response = this.opts.plan({ typeUrl, phase: group.phase }, snapshot);
        if (response) {
          this.send(response, snapshot);
          settled = false;
        }
      }
      if (!settled) return;
    }
    if (current && this.rejected.size === 0 && this.unanswered.size === 0) {
      this.opts.cache.acknowledged(this.nodeKey, current);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    for (const { timer, span } of this.outstanding.values()) {
      clearTimeout(timer);
      endSpan(span, new Error('stream closed before Envoy answered'));
    }
    this.opts.status.close(this.opts.streamId);
  }

  private send(response: PlannedResponse, snapshot: Snapshot): void {
    const nonce = String(++this.nonces);
    const timer = setTimeout(() => this.expire(response.typeUrl, nonce), this.opts.ackTimeoutMs).unref();
    const span = startSpan('xds.push', snapshot.trace, {
      attributes: {
        'xds.type_url': response.typeUrl,
        'xds.node_id': this.nodeId,
        'xds.node_cluster': this.nodeKey ?? '',
        'xds.resources': response.versions.size,
        'xds.nonce': nonce,
      },
    });
    pushes.inc({ type_url: response.typeUrl });
    this.outstanding.set(response.typeUrl, { nonce, response, snapshot, timer, span });
    this.servedSnapshot = true;
    response.commit(nonce);
  }

  private expire(typeUrl: string, nonce: string): void {
    const outstanding = this.outstanding.get(typeUrl);
    if (outstanding?.nonce !== nonce) return;
    endSpan(outstanding.span, new Error('no ACK or NACK in time'));
    this.outstanding.delete(typeUrl);
    this.unanswered.add(typeUrl);
    this.pumpSafely();
  }

  /**
   * Whether the snapshot still holds a version Envoy refused. Removals wait meanwhile, so Envoy keeps what
   * the refused config was to replace (a route stays with the cluster it still uses).
   */
  private refusedConfigPending(snapshot: Snapshot): boolean {
    return [...this.rejected].some(([typeUrl, versions]) =>
      [...versions].some(([name, version]) => snapshot.ofType(typeUrl).get(name)?.version === version),
    );
  }

  private pumpSafely(): void {
    try {
      this.pump();
    } catch (err) {
      this.opts.fail(err);
    }
  }
}
