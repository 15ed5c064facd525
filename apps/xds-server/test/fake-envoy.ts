import {
  TYPE_URLS,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type Node,
  type XdsResources,
} from '@eg/xds';
import { DeltaStream } from '../src/delta-stream.ts';
import type { XdsStatusRegistry } from '../src/node-status.ts';
import type { SnapshotCache } from '../src/snapshot-cache.ts';
import { SotwStream } from '../src/sotw-stream.ts';
import type { AdsStreamOptions } from '../src/stream-core.ts';

export const NODE: Node = { id: 'envoy-1', cluster: 'default/eg' };

/** Decides whether the fake Envoy refuses a response: the error message, or undefined to accept. */
export type Rejecter = (typeUrl: string, names: readonly string[]) => string | undefined;

interface FakeOptions {
  readonly cache: SnapshotCache;
  readonly status: XdsStatusRegistry;
  readonly ackTimeoutMs?: number;
}

/** The type Envoy subscribes to by name for the resources of a type (endpoints of clusters, routes of listeners). */
const DEPENDENT: Readonly<Record<string, string>> = {
  [TYPE_URLS.cluster]: TYPE_URLS.endpoint,
  [TYPE_URLS.listener]: TYPE_URLS.route,
};

/** Names inside the fake resources of test/fake-resources.ts (`name@version`). */
function nameOf(value: Uint8Array): string {
  const text = new TextDecoder().decode(value);
  return text.slice(0, text.lastIndexOf('@'));
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/**
 * What both fakes do as Envoy does: subscribe by name to the endpoints of new clusters and the routes of new
 * listeners, hold the cluster ACK until every added or updated cluster got its endpoints, and ACK or NACK
 * every other response at once. Responses queue up and are answered by converge(), never re-entrantly.
 */
abstract class FakeEnvoy<Response extends { readonly typeUrl: string; readonly nonce: string }, Stream> {
  readonly responses: Response[] = [];
  reject: Rejecter = () => undefined;
  protected readonly stream: Stream;
  protected readonly subscribed = new Map<string, Set<string>>();
  private readonly cache: SnapshotCache;
  private readonly queue: Response[] = [];
  private readonly warming = new Set<string>();
  private heldClusterAck: Response | undefined;

  protected constructor(opts: FakeOptions, open: (o: AdsStreamOptions<Response>) => Stream) {
    this.cache = opts.cache;
    this.stream = open({
      streamId: 1,
      cache: opts.cache,
      status: opts.status,
      send: (r) => {
        this.responses.push(r);
        this.queue.push(r);
      },
      fail: (err) => {
        throw err;
      },
      ackTimeoutMs: opts.ackTimeoutMs ?? 60_000,
    });
  }

  /** Sets the node's snapshot (undefined deletes it), answers everything, and returns what was sent. */
  serve(resources: XdsResources | undefined): string[] {
    const start = this.responses.length;
    if (resources) this.cache.setSnapshot(NODE.cluster, resources);
    else this.cache.deleteSnapshot(NODE.cluster);
    this.converge();
    return this.responses.slice(start).map((r) => this.line(r));
  }

  /** Answers every response until the server has nothing more to send. */
  converge(): void {
    for (let response = this.queue.shift(); response; response = this.queue.shift()) this.answer(response);
  }

  /** The responses since the last call, as `Type name@version,-removed` lines. */
  drainLog(): string[] {
    return this.responses.splice(0).map((r) => this.line(r));
  }

  private line(response: Response): string {
    return `${shortType(response.typeUrl)} ${this.describe(response).join(',')}`.trim();
  }

  protected abstract names(response: Response): { readonly updated: string[]; readonly removed: readonly string[] };
  protected abstract describe(response: Response): string[];
  /** Sends the subscription of `typeUrl` after it changed. */
  protected abstract resubscribe(typeUrl: string, added: readonly string[], removed: readonly string[]): void;
  protected abstract acknowledge(response: Response, error: string | undefined): void;

  private answer(response: Response): void {
    const { updated, removed } = this.names(response);
    const error = this.reject(response.typeUrl, updated);
    const dependent = DEPENDENT[response.typeUrl];
    if (!error && dependent) {
      const names = this.subscribed.get(dependent) ?? new Set<string>();
      this.subscribed.set(dependent, names);
      const added = updated.filter((n) => !names.has(n));
      const dropped = removed.filter((n) => names.has(n));
      for (const n of added) names.add(n);
      for (const n of dropped) names.delete(n);
      if (added.length > 0 || dropped.length > 0) this.resubscribe(dependent, added, dropped);
    }
    if (!error && response.typeUrl === TYPE_URLS.cluster && updated.length > 0) {
      for (const n of updated) this.warming.add(n);
      this.heldClusterAck = response;
      return;
    }
    if (response.typeUrl === TYPE_URLS.endpoint) for (const n of [...updated, ...removed]) this.warming.delete(n);
    this.acknowledge(response, error);
    if (this.heldClusterAck && this.warming.size === 0) {
      const held = this.heldClusterAck;
      this.heldClusterAck = undefined;
      this.acknowledge(held, undefined);
    }
  }
}

/** Talks to a DeltaStream as Envoy does. */
export class FakeDeltaEnvoy extends FakeEnvoy<DeltaDiscoveryResponse, DeltaStream> {
  constructor(opts: FakeOptions) {
    super(opts, (o) => new DeltaStream(o));
  }

  /** Subscribes to all clusters and listeners; `known` are versions held from an earlier stream. */
  connect(known: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): void {
    for (const typeUrl of [TYPE_URLS.cluster, TYPE_URLS.listener]) {
      this.request(typeUrl, { node: NODE, initialResourceVersions: known[typeUrl] ?? {} });
    }
  }

  request(typeUrl: string, fields: Partial<DeltaDiscoveryRequest> = {}): void {
    this.stream.onRequest({
      typeUrl,
      resourceNamesSubscribe: [],
      resourceNamesUnsubscribe: [],
      initialResourceVersions: {},
      responseNonce: '',
      ...fields,
    });
  }

  protected names(r: DeltaDiscoveryResponse): { updated: string[]; removed: readonly string[] } {
    return { updated: r.resources.map((x) => x.name), removed: r.removedResources };
  }

  protected describe(r: DeltaDiscoveryResponse): string[] {
    return [...r.resources.map((x) => `${x.name}@${x.version}`), ...r.removedResources.map((n) => `-${n}`)];
  }

  protected resubscribe(typeUrl: string, added: readonly string[], removed: readonly string[]): void {
    this.request(typeUrl, { resourceNamesSubscribe: added, resourceNamesUnsubscribe: removed });
  }

  protected acknowledge(r: DeltaDiscoveryResponse, error: string | undefined): void {
    this.request(r.typeUrl, { responseNonce: r.nonce, ...(error && { errorDetail: { code: 3, message: error } }) });
  }
}

/** Talks to a SotwStream as Envoy does: every request names the whole set it wants and the last nonce it saw. */
export class FakeSotwEnvoy extends FakeEnvoy<DiscoveryResponse, SotwStream> {
  private readonly versions = new Map<string, string>();
  private readonly nonces = new Map<string, string>();
  private readonly held = new Map<string, readonly string[]>();

  constructor(opts: FakeOptions) {
    super(opts, (o) => new SotwStream(o));
  }

  connect(): void {
    this.request(TYPE_URLS.cluster, { node: NODE });
    this.request(TYPE_URLS.listener);
  }

  /** Sends a request, by default the current subscription of `typeUrl` with the last nonce seen. */
  request(typeUrl: string, fields: Partial<DiscoveryRequest> = {}): void {
    this.stream.onRequest({
      versionInfo: this.versions.get(typeUrl) ?? '',
      resourceNames: [...(this.subscribed.get(typeUrl) ?? [])].sort(),
      typeUrl,
      responseNonce: this.nonces.get(typeUrl) ?? '',
      ...fields,
    });
  }

  protected names(r: DiscoveryResponse): { updated: string[]; removed: readonly string[] } {
    const names = r.resources.map((x) => nameOf(x.value));
    const before = this.held.get(r.typeUrl) ?? [];
    this.held.set(r.typeUrl, names);
    // Only wildcard types remove by omission; a smaller named set just says less.
    const wildcard = r.typeUrl === TYPE_URLS.cluster || r.typeUrl === TYPE_URLS.listener;
    return { updated: names, removed: wildcard ? before.filter((n) => !names.includes(n)) : [] };
  }

  protected describe(r: DiscoveryResponse): string[] {
    return r.resources.map((x) => nameOf(x.value));
  }

  protected resubscribe(typeUrl: string): void {
    this.request(typeUrl);
  }

  protected acknowledge(r: DiscoveryResponse, error: string | undefined): void {
    this.nonces.set(r.typeUrl, r.nonce);
    if (!error) this.versions.set(r.typeUrl, r.versionInfo);
    this.request(r.typeUrl, error ? { errorDetail: { code: 3, message: error } } : {});
  }
}
