/** W3C trace context of the change that caused an entry (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** The buckets services exchange state through (DESIGN.md, "Processes and the bus"). */
export type BucketName = 'resources' | 'xds-ir' | 'infra-ir' | 'ratelimit-ir' | 'status' | 'xds-status';

export const BUCKET_NAMES: readonly BucketName[] = [
  'resources',
  'xds-ir',
  'infra-ir',
  'ratelimit-ir',
  'status',
  // xds-server replicas -> translator: Envoys that refused configuration (key `<irKey>/<nodeId>`).
  'xds-status',
];

export interface Entry<T> {
  readonly key: string;
  readonly value: T;
  readonly trace?: TraceContext;
  /** The bucket's sequence number of this write; grows with every write to the bucket. */
  readonly revision: number;
}

export type Update<T> =
  | { readonly key: string; readonly type: 'put'; readonly entry: Entry<T> }
  | { readonly key: string; readonly type: 'delete' };

export interface Snapshot<T> {
  /** True for the first snapshot of a subscription, which carries the whole state and no updates. */
  readonly initial: boolean;
  /** The full current view; never mutated after it was handed out. */
  readonly state: ReadonlyMap<string, Entry<T>>;
  /** What changed since the previous snapshot: the last update per key, in the order they happened. */
  readonly updates: readonly Update<T>[];
}

export interface SubscribeOptions {
  /** Updates arriving within this window after the first one are merged into one snapshot. Default 50. */
  readonly debounceMs?: number;
  /**
   * Only yield states a writer marked complete with commit(), so a consumer never sees half a batch.
   * The first snapshot then holds everything up to the latest commit; if a batch is open when the
   * subscription starts, it waits for that batch's commit. Needs writers that commit every batch.
   */
  readonly atCommit?: boolean;
  /** Ends the subscription. */
  readonly signal?: AbortSignal;
}

/**
 * A map of JSON values shared through one bucket: writers put and delete, readers subscribe to the whole
 * current state and then coalesced changes (the role of Envoy Gateway's watchable maps).
 * Values must be JSON data; keys are arbitrary non-ill-formed strings.
 */
export interface WatchableMap<T> {
  readonly bucket: BucketName;
  /** Stores `value` under `key`; false when the stored value is already equal (nothing written). */
  put(key: string, value: T, trace?: TraceContext): Promise<boolean>;
  /** Removes `key`; writes nothing when it is already absent. */
  delete(key: string): Promise<void>;
  /**
   * Marks the end of a batch of puts and deletes (see SubscribeOptions.atCommit); always writes a marker.
   * It also ends the map's write batch: the next put first checks whether another writer touched the
   * bucket, so its equality checks do not trust a stale cache.
   */
  commit(): Promise<void>;
  get(key: string): Promise<Entry<T> | undefined>;
  keys(): Promise<string[]>;
  subscribe(opts?: SubscribeOptions): AsyncIterable<Snapshot<T>>;
}

export interface LeaseOptions {
  /** How long a lease holds without renewal. Default 15 s, Envoy Gateway's lease duration. */
  readonly ttlMs?: number;
  /** Called with errors talking to NATS; leadership itself is reported through onChange. */
  readonly onError?: (err: Error) => void;
}

/** Leader election over the `leases` bucket; the holder renews every ttl/3. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  isLeader(): boolean;
  /** Calls `listener` on every change of leadership; returns a function that removes it. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Resolves once this holder is the leader (at once when it already is); rejects when the signal aborts. */
  whenLeader(signal?: AbortSignal): Promise<void>;
  /** Stops campaigning and gives the lease up at once so a standby can take over without waiting for expiry. */
  release(): Promise<void>;
}

export interface Bus {
  /** The map over one bucket, created on first use. Repeated calls return the same map. */
  map<T>(bucket: BucketName): Promise<WatchableMap<T>>;
  /** Starts campaigning for lease `name` as `holder` (unique per process, e.g. the pod name). */
  lease(name: string, holder: string, opts?: LeaseOptions): Lease;
  /** Releases leases, ends subscriptions and closes the connection. */
  close(): Promise<void>;
  /** Settles when the connection is closed: with an Error when it closed because of one. */
  readonly closed: Promise<void | Error>;
}
