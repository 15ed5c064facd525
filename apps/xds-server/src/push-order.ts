import { TYPE_URLS } from '@eg/xds';

export type PushPhase = 'update' | 'removal';

/** Resource types that go out together; a group waits until every earlier group is acknowledged. */
export interface PushGroup {
  readonly phase: PushPhase;
  readonly typeUrls: readonly string[];
}

const { secret, cluster, endpoint, listener, route } = TYPE_URLS;

/**
 * Make before break: what is referenced (secrets, clusters, endpoints) is in place before what references
 * it (listeners, routes) changes, and nothing is removed until every addition is acknowledged. Clusters
 * and their endpoints share a group because Envoy holds its cluster ACK until new clusters have their
 * endpoints; listeners and routes likewise, as a new listener waits for its routes. Removals go one type
 * at a time, referrers first, so Envoy has dropped its subscriptions to what they referenced.
 */
export const PUSH_GROUPS: readonly PushGroup[] = [
  { phase: 'update', typeUrls: [secret, cluster, endpoint] },
  { phase: 'update', typeUrls: [listener, route] },
  ...[listener, route, cluster, endpoint, secret].map((typeUrl) => ({
    phase: 'removal' as const,
    typeUrls: [typeUrl],
  })),
];

/** One type within a group, as the protocols plan it. */
export interface PushStep {
  readonly typeUrl: string;
  readonly phase: PushPhase;
}

/** Types whose subscriptions may be wildcards ("everything"); the others are always by name. */
export const WILDCARD_TYPES: ReadonlySet<string> = new Set([listener, cluster]);

/**
 * A changed cluster warms again and waits for its endpoints, even unchanged ones: after a cluster update
 * its ClusterLoadAssignment is sent again (as go-control-plane does).
 */
export const RESEND_AFTER_UPDATE: ReadonlyMap<string, string> = new Map([[cluster, endpoint]]);
