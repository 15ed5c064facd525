import { TYPE_URLS } from '@eg/xds';

export type PushPhase = 'update' | 'removal';

export interface PushStep {
  readonly typeUrl: string;
  readonly phase: PushPhase;
}

const { secret, cluster, endpoint, listener, route } = TYPE_URLS;

/**
 * Make before break: what is referenced (secrets, clusters, endpoints) is added before what references it
 * (listeners, routes), and nothing is removed until every addition is in place.
 */
export const PUSH_STEPS: readonly PushStep[] = [
  ...[secret, cluster, endpoint, listener, route].map((typeUrl) => ({ typeUrl, phase: 'update' as const })),
  ...[listener, route, cluster, endpoint, secret].map((typeUrl) => ({ typeUrl, phase: 'removal' as const })),
];

/** Types whose subscriptions may be wildcards ("everything"); the others are always by name. */
export const WILDCARD_TYPES: ReadonlySet<string> = new Set([listener, cluster]);
