import type { Bus, Snapshot, TraceContext, WatchableMap } from '@eg/bus';
import type { TranslateResult } from '@eg/gatewayapi';
import {
  resourceKey,
  type EnvoyRejection,
  type InfraIR,
  type RateLimitIR,
  type ResourceStatus,
  type XdsIR,
} from '@eg/ir';
import { withEnvoyRejections } from './envoy-rejections.ts';
import type { OutputSet } from './publish.ts';

/** The buckets the translator writes. */
export interface OutputMaps {
  readonly xds: WatchableMap<XdsIR>;
  readonly infra: WatchableMap<InfraIR>;
  readonly rateLimit: WatchableMap<RateLimitIR>;
  readonly status: WatchableMap<ResourceStatus>;
}

export async function openOutputs(bus: Bus): Promise<OutputMaps> {
  return {
    xds: await bus.map<XdsIR>('xds-ir'),
    infra: await bus.map<InfraIR>('infra-ir'),
    rateLimit: await bus.map<RateLimitIR>('ratelimit-ir'),
    status: await bus.map<ResourceStatus>('status'),
  };
}

/** What each output bucket should hold after this translation, with the Envoys' refusals on their Gateways. */
export function outputSets(
  maps: OutputMaps,
  result: TranslateResult,
  rejections: Iterable<EnvoyRejection> = [],
): OutputSet<unknown>[] {
  const statuses = new Map(
    withEnvoyRejections(result.statuses, rejections).map((s) => [resourceKey(s.kind, s.namespace, s.name), s]),
  );
  return [
    // Clusters before listeners is the xds-server's job; here infra first so the fleet starts early.
    { map: maps.infra, entries: result.infra },
    { map: maps.xds, entries: result.xds },
    { map: maps.rateLimit, entries: result.rateLimit },
    { map: maps.status, entries: statuses },
  ] as OutputSet<unknown>[];
}

/** The trace of the newest change in a snapshot: the change this translation answers. */
export function causingTrace<T>(snapshot: Snapshot<T>): TraceContext | undefined {
  for (let i = snapshot.updates.length - 1; i >= 0; i--) {
    const update = snapshot.updates[i]!;
    if (update.type === 'put' && update.entry.trace) return update.entry.trace;
  }
  let newest: { revision: number; trace?: TraceContext } | undefined;
  for (const entry of snapshot.state.values()) {
    if (!newest || entry.revision > newest.revision) newest = entry;
  }
  return newest?.trace;
}
