import { createHash } from 'node:crypto';
import type { DiscoveryRequest, DiscoveryResponse, XdsResource } from '@eg/xds';
import { RESEND_AFTER_UPDATE, WILDCARD_TYPES, type PushStep } from './push-order.ts';
import type { Snapshot } from './snapshot-cache.ts';
import { StreamCore, type AdsStreamOptions, type PlannedResponse } from './stream-core.ts';

interface SotwTypeState {
  wildcard: boolean;
  names: ReadonlySet<string>;
  /** The resources of the last response, which the node holds (or refused). */
  sent: ReadonlyMap<string, XdsResource>;
  /** Nonce of the last response; requests carrying an older one are stale. */
  lastNonce: string;
}

/** One state-of-the-world ADS stream (StreamAggregatedResources): every response carries the whole set of its type. */
export class SotwStream {
  private readonly opts: AdsStreamOptions<DiscoveryResponse>;
  private readonly core: StreamCore;
  private readonly types = new Map<string, SotwTypeState>();

  constructor(opts: AdsStreamOptions<DiscoveryResponse>) {
    this.opts = opts;
    this.core = new StreamCore({ ...opts, protocol: 'sotw', plan: (step, snapshot) => this.plan(step, snapshot) });
  }

  onRequest(request: DiscoveryRequest): void {
    this.core.start(request.node);
    const state = this.types.get(request.typeUrl);
    // A request answering an older response was overtaken by the newer one; its ACK comes next.
    if (state && request.responseNonce !== '' && request.responseNonce !== state.lastNonce) return;
    this.subscribe(request, state);
    if (request.responseNonce !== '') {
      this.core.resolve(request.typeUrl, request.responseNonce, request.errorDetail);
    }
    this.core.pump();
  }

  close(): void {
    this.core.close();
  }

  private subscribe(request: DiscoveryRequest, state: SotwTypeState | undefined): void {
    const wildcard =
      request.resourceNames.includes('*') ||
      (WILDCARD_TYPES.has(request.typeUrl) && request.resourceNames.length === 0);
    const names = new Set(request.resourceNames.filter((n) => n !== '*'));
    const sent = new Map([...(state?.sent ?? [])].filter(([name]) => wildcard || names.has(name)));
    this.types.set(request.typeUrl, { wildcard, names, sent, lastNonce: state?.lastNonce ?? '' });
  }

  private plan(step: PushStep, snapshot: Snapshot): PlannedResponse | undefined {
    const state = this.types.get(step.typeUrl);
    if (!state) return undefined;
    const wanted = new Map(
      [...snapshot.ofType(step.typeUrl)].filter(([name]) => state.wildcard || state.names.has(name)),
    );
    if (step.phase === 'update') {
      // Until the removal phase, resources about to go stay in the set, so nothing is dropped before its replacement is in.
      const next = new Map([...state.sent, ...wanted]);
      const firstAnswer = state.lastNonce === '' && state.wildcard;
      return firstAnswer || !sameVersions(state.sent, next) ? this.response(step.typeUrl, state, next) : undefined;
    }
    // Only wildcard sets remove by omission; for named types a smaller set would tell Envoy nothing.
    if (!state.wildcard) return undefined;
    return sameVersions(state.sent, wanted) ? undefined : this.response(step.typeUrl, state, wanted);
  }

  private response(typeUrl: string, state: SotwTypeState, next: ReadonlyMap<string, XdsResource>): PlannedResponse {
    const resources = [...next.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const versions = new Map(resources.map((r) => [r.name, r.version]));
    return {
      typeUrl,
      versions,
      accepted: () => new Map(versions),
      commit: (nonce) => {
        this.types.set(typeUrl, { ...state, sent: next, lastNonce: nonce });
        this.forgetDependents(typeUrl, state.sent, next);
        this.opts.send({
          versionInfo: setVersion(resources),
          resources: resources.map((r) => ({ typeUrl: r.typeUrl, value: r.value })),
          typeUrl,
          nonce,
        });
      },
    };
  }

  /** Drops the dependents of updated resources from what the node holds, so they are sent again. */
  private forgetDependents(
    typeUrl: string,
    before: ReadonlyMap<string, XdsResource>,
    after: ReadonlyMap<string, XdsResource>,
  ): void {
    const dependentType = RESEND_AFTER_UPDATE.get(typeUrl);
    const dependent = dependentType && this.types.get(dependentType);
    if (!dependentType || !dependent) return;
    const updated = [...after].filter(([name, r]) => before.get(name)?.version !== r.version).map(([name]) => name);
    if (updated.length === 0) return;
    const sent = new Map([...dependent.sent].filter(([name]) => !updated.includes(name)));
    this.types.set(dependentType, { ...dependent, sent });
  }
}

function sameVersions(a: ReadonlyMap<string, XdsResource>, b: ReadonlyMap<string, XdsResource>): boolean {
  return a.size === b.size && [...a].every(([name, r]) => b.get(name)?.version === r.version);
}

/** The version of a whole set: equal sets, equal versions, on every replica. */
function setVersion(resources: readonly XdsResource[]): string {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(`${r.name}\0${r.version}\0`);
  return hash.digest('hex').slice(0, 16);
}
