import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, XdsResource } from '@eg/xds';
import { RESEND_AFTER_UPDATE, WILDCARD_TYPES, type PushStep } from './push-order.ts';
import type { Snapshot } from './snapshot-cache.ts';
import { StreamCore, type AdsStreamOptions, type PlannedResponse } from './stream-core.ts';

/** A told-absent marker: the node was told the named resource does not exist. */
const ABSENT = null;

interface DeltaTypeState {
  wildcard: boolean;
  readonly names: Set<string>;
  /** Per resource, the version last sent (or that the node reported on reconnect); ABSENT once told it is gone. */
  readonly sent: Map<string, string | typeof ABSENT>;
  /** Whether the node got a response of this type; a new wildcard subscription is always answered once. */
  answered: boolean;
}

/** One Delta ADS stream (DeltaAggregatedResources): sends only what changed, per resource. */
export class DeltaStream {
  private readonly opts: AdsStreamOptions<DeltaDiscoveryResponse>;
  private readonly core: StreamCore;
  private readonly types = new Map<string, DeltaTypeState>();

  constructor(opts: AdsStreamOptions<DeltaDiscoveryResponse>) {
    this.opts = opts;
    this.core = new StreamCore({ ...opts, protocol: 'delta', plan: (step, snapshot) => this.plan(step, snapshot) });
  }

  onRequest(request: DeltaDiscoveryRequest): void {
    this.core.start(request.node);
    this.subscribe(request);
    if (request.responseNonce !== '') {
      this.core.resolve(request.typeUrl, request.responseNonce, request.errorDetail);
    }
    this.core.pump();
  }

  close(): void {
    this.core.close();
  }

  private subscribe(request: DeltaDiscoveryRequest): void {
    let state = this.types.get(request.typeUrl);
    if (!state) {
      // An empty first subscription is the legacy way to ask for everything.
      const wildcard = WILDCARD_TYPES.has(request.typeUrl) && request.resourceNamesSubscribe.length === 0;
      const held = new Map(Object.entries(request.initialResourceVersions));
      // A reconnecting node that reports what it holds is initialized already: it needs no empty answer.
      state = { wildcard, names: new Set(), sent: new Map(held), answered: held.size > 0 };
      this.types.set(request.typeUrl, state);
      this.core.holds(request.typeUrl, held);
    }
    for (const name of request.resourceNamesSubscribe) {
      if (name === '*') state.wildcard = true;
      else state.names.add(name);
    }
    for (const name of request.resourceNamesUnsubscribe) {
      if (name === '*') state.wildcard = false;
      else state.names.delete(name);
    }
    // The node forgets what it no longer subscribes to.
    for (const name of state.sent.keys()) if (!interested(state, name)) state.sent.delete(name);
  }

  private plan(step: PushStep, snapshot: Snapshot): PlannedResponse | undefined {
    const state = this.types.get(step.typeUrl);
    if (!state) return undefined;
    const available = snapshot.ofType(step.typeUrl);
    if (step.phase === 'update') {
      const updated = [...available.values()].filter(
        (r) => interested(state, r.name) && state.sent.get(r.name) !== r.version,
      );
      // A name asked for that does not exist is answered as removed at once: a warming cluster may wait on it.
      const unknown = [...state.names].filter((name) => !available.has(name) && !state.sent.has(name));
      if (updated.length === 0 && unknown.length === 0 && (state.answered || !state.wildcard)) return undefined;
      return this.response(step.typeUrl, state, updated, unknown);
    }
    const removed = [...state.sent.entries()]
      .filter(([name, version]) => version !== ABSENT && !available.has(name))
      .map(([name]) => name);
    return removed.length === 0 ? undefined : this.response(step.typeUrl, state, [], removed);
  }

  private response(
    typeUrl: string,
    state: DeltaTypeState,
    updated: readonly XdsResource[],
    removed: readonly string[],
  ): PlannedResponse {
    const versions = new Map(updated.map((r) => [r.name, r.version]));
    return {
      typeUrl,
      versions,
      accepted: (previous) => {
        const next = new Map([...previous, ...versions]);
        for (const name of removed) next.delete(name);
        return next;
      },
      commit: (nonce) => {
        // Recorded as sent before any ACK, so a NACKed version is never sent again.
        for (const [name, version] of versions) state.sent.set(name, version);
        const dependent = this.types.get(RESEND_AFTER_UPDATE.get(typeUrl) ?? '');
        for (const name of versions.keys()) dependent?.sent.delete(name);
        for (const name of removed) {
          if (state.names.has(name)) state.sent.set(name, ABSENT);
          else state.sent.delete(name);
        }
        state.answered = true;
        this.opts.send({
          systemVersionInfo: '',
          typeUrl,
          resources: updated.map((r) => ({
            name: r.name,
            version: r.version,
            resource: { typeUrl: r.typeUrl, value: r.value },
          })),
          removedResources: removed,
          nonce,
        });
      },
    };
  }
}

function interested(state: DeltaTypeState, name: string): boolean {
  return state.wildcard || state.names.has(name);
}
