import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createIdempotently } from './buckets.ts';
import { BusError } from './errors.ts';
import { LargeValueStore } from './large-value-store.ts';
import { KvLease } from './lease.ts';
import { BucketMap } from './watchable-map.ts';
import { BUCKET_NAMES, type Bus, type BucketName, type Lease, type LeaseOptions, type WatchableMap } from './types.ts';

export interface BusOptions {
  /** NATS URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** Names this client to the server and writers in commit markers, e.g. `translator-<pod>`. */
  readonly name: string;
  /** Errors of background work a caller cannot act on (removing a replaced large value). */
  readonly onError?: (err: BusError) => void;
}

/** Below the server's 1 MiB max payload, with room for headers and the envelope around the value. */
const LARGE_VALUE_THRESHOLD = 900 * 1024;
const PAYLOAD_HEADROOM = 64 * 1024;
const LEASES_BUCKET = 'leases';

/** Connects to NATS. Fails if the server cannot be reached now; once connected, it reconnects forever. */
export async function connectBus(opts: BusOptions): Promise<Bus> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: typeof opts.servers === 'string' ? opts.servers : [...opts.servers],
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
  } catch (err) {
    throw new BusError(`cannot connect to NATS at ${String(opts.servers)}`, { cause: err });
  }
  return new NatsBus(nc, opts);
}

class NatsBus implements Bus {
  readonly closed: Promise<void | Error>;
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly kvm: Kvm;
  private readonly opts: BusOptions;
  private readonly buckets = new Map<string, Promise<KV>>();
  private readonly maps = new Map<BucketName, Promise<BucketMap<unknown>>>();
  private readonly leases = new Set<KvLease>();
  private readonly reconnectListeners = new Set<() => void>();

  constructor(nc: NatsConnection, opts: BusOptions) {
    this.nc = nc;
    this.opts = opts;
    this.js = jetstream(nc);
    this.kvm = new Kvm(this.js);
    this.closed = nc.closed();
    void this.watchStatus();
  }

  map<T>(bucket: BucketName): Promise<WatchableMap<T>> {
    if (!BUCKET_NAMES.includes(bucket)) return Promise.reject(new BusError(`unknown bucket ${String(bucket)}`));
    let map = this.maps.get(bucket);
    if (!map) {
      map = this.createMap(bucket);
      this.maps.set(bucket, map);
      map.catch(() => this.maps.delete(bucket));
    }
    // One map per bucket, whatever T the caller names: the bucket decides what it holds.
    return map as Promise<BucketMap<unknown>> as Promise<WatchableMap<T>>;
  }

  lease(name: string, holder: string, opts?: LeaseOptions): Lease {
    const lease = new KvLease(() => this.bucket(LEASES_BUCKET), name, holder, opts);
    this.leases.add(lease);
    return lease;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.leases].map((lease) => lease.release()));
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async createMap(bucket: BucketName): Promise<BucketMap<unknown>> {
    const kv = await this.bucket(bucket);
    const maxPayload = this.nc.info?.max_payload ?? 1024 * 1024;
    const onError = this.opts.onError ?? ((err: BusError) => process.emitWarning(err));
    return new BucketMap({
      bucket,
      kv,
      js: this.js,
      largeValues: new LargeValueStore(this.js, bucket),
      largeValueThreshold: Math.min(LARGE_VALUE_THRESHOLD, maxPayload - PAYLOAD_HEADROOM),
      writer: this.opts.name,
      onError,
      isClosed: () => this.nc.isClosed(),
      onReconnect: (listener) => {
        this.reconnectListeners.add(listener);
        return () => this.reconnectListeners.delete(listener);
      },
    });
  }

  private bucket(name: string): Promise<KV> {
    let kv = this.buckets.get(name);
    if (!kv) {
      kv = createIdempotently(() => this.kvm.create(name, { history: 1 }));
      this.buckets.set(name, kv);
      kv.catch(() => this.buckets.delete(name));
    }
    return kv;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'reconnect') for (const listener of [...this.reconnectListeners]) listener();
    }
  }
}
