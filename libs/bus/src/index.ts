// @eg/bus: watchable maps over NATS JetStream KV buckets, and leases for leader election.
export { connectBus, type BusOptions } from './bus.ts';
export { BusDecodeError, BusError, BusKeyError, BusPayloadTooLargeError } from './errors.ts';
export { DEFAULT_LEASE_TTL_MS } from './lease.ts';
export { Leadership } from './leadership.ts';
export { DEFAULT_DEBOUNCE_MS } from './subscription.ts';
export {
  BUCKET_NAMES,
  type BucketName,
  type Bus,
  type Entry,
  type Lease,
  type LeaseOptions,
  type Snapshot,
  type SubscribeOptions,
  type TraceContext,
  type Update,
  type WatchableMap,
} from './types.ts';
