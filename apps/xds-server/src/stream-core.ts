import type { ErrorDetail, Node } from '@eg/xds';
import { XdsProtocolError } from './errors.ts';
import type { XdsProtocol, XdsStatusRegistry } from './node-status.ts';
import { PUSH_STEPS, type PushStep } from './push-order.ts';
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
  readonly timer: NodeJS.Timeout;
}

/**
 * What delta and state-of-the-world streams share: the node and its snapshot, one response in flight at a
 * time (so Envoy has applied each step before the next), ACK/NACK records, and the push order.
 */
export class StreamCore {
  private readonly opts: StreamCoreOptions;
  private nodeKey: string | undefined;
  private unwatch: (() => void) | undefined;
  private outstanding: Outstanding | undefined;
  private readonly accepted = new Map<string, ReadonlyMap<string, string>>();
  /** Types whose latest response was refused: removals wait, so Envoy keeps what the refused config replaces. */
  private readonly rejectedTypes = new Set<string>();
  private nonces = 0;
  private servedSnapshot = false;
  private closed = false;

  constructor(opts: StreamCoreOptions) {
    this.opts = opts;
  }

  /** Identifies the stream by the node of its first request and starts following that node's snapshot. */
  start(node: Node | undefined): void {
    if (this.nodeKey !== undefined) return;
    if (!node) throw new XdsProtocolError('the first request of a stream must carry the node');
    this.nodeKey = node.cluster;
    this.opts.status.open(this.opts.streamId, node, this.opts.protocol);
    this.unwatch = this.opts.cache.watch(node.cluster, () => this.pumpSafely());
  }

  /** Handles the ACK or NACK in a request; a nonce other than the one in flight acknowledges nothing. */
  resolve(typeUrl: string, nonce: string, errorDetail: ErrorDetail | undefined): void {
    const outstanding = this.outstanding;
    if (!outstanding || nonce !== outstanding.nonce || typeUrl !== outstanding.response.typeUrl) return;
    clearTimeout(outstanding.timer);
    this.outstanding = undefined;
    const { response } = outstanding;
    if (errorDetail) {
      this.rejectedTypes.add(typeUrl);
      this.opts.status.rejected(this.opts.streamId, typeUrl, {
        message: errorDetail.message,
        versions: Object.fromEntries(response.versions),
      });
      return;
    }
    this.rejectedTypes.delete(typeUrl);
    const accepted = response.accepted(this.accepted.get(typeUrl) ?? new Map());
    this.accepted.set(typeUrl, accepted);
    this.opts.status.acknowledged(this.opts.streamId, typeUrl, accepted);
  }

  /** Sends the first pending step, unless a response is still in flight. */
  pump(): void {
    if (this.closed || this.nodeKey === undefined || this.outstanding) return;
    const current = this.opts.cache.get(this.nodeKey);
    // A new stream waits for its fleet's first snapshot; a deleted snapshot empties a served node.
    if (!current && !this.servedSnapshot) return;
    const snapshot = current ?? EMPTY_SNAPSHOT;
    for (const step of PUSH_STEPS) {
      if (step.phase === 'removal' && this.rejectedTypes.size > 0) return;
      const response = this.opts.plan(step, snapshot);
      if (response) {
        this.send(response);
        return;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    if (this.outstanding) clearTimeout(this.outstanding.timer);
    this.opts.status.close(this.opts.streamId);
  }

  private send(response: PlannedResponse): void {
    const nonce = String(++this.nonces);
    const timer = setTimeout(() => this.expire(nonce), this.opts.ackTimeoutMs).unref();
    this.outstanding = { nonce, response, timer };
    this.servedSnapshot = true;
    response.commit(nonce);
  }

  private expire(nonce: string): void {
    if (this.outstanding?.nonce !== nonce) return;
    this.outstanding = undefined;
    this.pumpSafely();
  }

  private pumpSafely(): void {
    try {
      this.pump();
    } catch (err) {
      this.opts.fail(err);
    }
  }
}
