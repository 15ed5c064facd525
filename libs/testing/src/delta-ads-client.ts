import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
} from '@grpc/grpc-js';
import {
  ADS_SERVICE,
  deltaDiscoveryResponseCodec,
  TYPE_URLS,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type Node,
} from '@eg/xds';

/** One resource as the client received it. */
export interface ReceivedResource {
  readonly version: string;
  readonly value: Uint8Array;
}

/** One response, as seen on the wire. */
export interface ReceivedResponse {
  readonly typeUrl: string;
  readonly resources: readonly (ReceivedResource & { readonly name: string })[];
  readonly removed: readonly string[];
  readonly nonce: string;
  /** Size of the encoded DeltaDiscoveryResponse. */
  readonly bytes: number;
}

export interface DeltaAdsClientOptions {
  /** `host:port` of the xds-server. */
  readonly address: string;
  readonly node: Node;
  /** Plaintext by default. */
  readonly credentials?: ChannelCredentials;
  /** e.g. `grpc.ssl_target_name_override` to check the server's name when dialing an IP. */
  readonly channelOptions?: ChannelOptions;
  /** What the client holds from an earlier stream, per type URL (a reconnect). */
  readonly initialVersions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Returns an error message to NACK a response; default accepts everything. */
  readonly reject?: (response: ReceivedResponse) => string | undefined;
}

/** A response with the size it had on the wire. */
interface SizedResponse {
  readonly message: DeltaDiscoveryResponse;
  readonly bytes: number;
}

const delta = ADS_SERVICE['DeltaAggregatedResources']!;
const AdsClient = makeGenericClientConstructor(
  {
    DeltaAggregatedResources: {
      ...delta,
      responseDeserialize: (bytes: Buffer): SizedResponse => ({
        message: deltaDiscoveryResponseCodec.decode(bytes),
        bytes: bytes.byteLength,
      }),
    },
  },
  'AggregatedDiscoveryService',
);

/** Envoy subscribes by name to the endpoints of the clusters and the routes of the listeners it holds. */
const DEPENDENT: Readonly<Record<string, string>> = {
  [TYPE_URLS.cluster]: TYPE_URLS.endpoint,
  [TYPE_URLS.listener]: TYPE_URLS.route,
};
const DEPENDENT_OF: Readonly<Record<string, string>> = {
  [TYPE_URLS.endpoint]: TYPE_URLS.cluster,
  [TYPE_URLS.route]: TYPE_URLS.listener,
};

/**
 * A Delta ADS client over real gRPC that behaves like Envoy where the server can tell: wildcard clusters and
 * listeners, endpoints and routes by name (our names match their cluster and listener), ACK or NACK of
 * every response. Tests and benchmarks use it to see exactly what an xds-server sends.
 */
export class DeltaAdsClient {
  readonly responses: ReceivedResponse[] = [];
  /** What the client holds, per type URL and name (NACKed responses change nothing). */
  readonly held = new Map<string, Map<string, ReceivedResource>>();
  private readonly client: InstanceType<typeof AdsClient>;
  private readonly call: ClientDuplexStream<DeltaDiscoveryRequest, SizedResponse>;
  private readonly opts: DeltaAdsClientOptions;
  private readonly listeners = new Set<(response: ReceivedResponse) => void>();
  private ended: Error | undefined;

  constructor(opts: DeltaAdsClientOptions) {
    this.opts = opts;
    this.client = new AdsClient(
      opts.address,
      opts.credentials ?? grpcCredentials.createInsecure(),
      opts.channelOptions,
    );
    const method = this.client['DeltaAggregatedResources'] as () => typeof this.call;
    this.call = method.call(this.client);
    this.call.on('data', (response: SizedResponse) => this.receive(response));
    this.call.on('error', (err: Error) => {
      this.ended = err;
    });
    // As Envoy reconnects: every type it holds, with the versions it holds; endpoints and routes by name.
    for (const typeUrl of [TYPE_URLS.cluster, TYPE_URLS.listener, TYPE_URLS.endpoint, TYPE_URLS.route]) {
      const initial = opts.initialVersions?.[typeUrl] ?? {};
      const names = Object.keys(initial);
      const wildcard = !(typeUrl in DEPENDENT_OF);
      if (!wildcard && names.length === 0) continue;
      this.held.set(
        typeUrl,
        new Map(names.map((name) => [name, { version: initial[name]!, value: new Uint8Array() }])),
      );
      this.send({
        typeUrl,
        ...(typeUrl === TYPE_URLS.cluster && { node: opts.node }),
        resourceNamesSubscribe: wildcard ? [] : names,
        initialResourceVersions: initial,
      });
    }
  }

  /** The error that ended the stream, if it ended. */
  get error(): Error | undefined {
    return this.ended;
  }

  /** Calls `listener` for every response after it was answered; returns the function that stops it. */
  onResponse(listener: (response: ReceivedResponse) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Versions held per name of one type. */
  versions(typeUrl: string): Record<string, string> {
    return Object.fromEntries([...(this.held.get(typeUrl) ?? [])].map(([name, r]) => [name, r.version]).sort());
  }

  /** Responses since the last call, as `Type name@version,-removed` lines. */
  drainLog(): string[] {
    return this.responses.splice(0).map(describe);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }

  private receive({ message: wire, bytes }: SizedResponse): void {
    const response: ReceivedResponse = {
      typeUrl: wire.typeUrl,
      resources: wire.resources.map((r) => ({ name: r.name, version: r.version, value: r.resource.value })),
      removed: wire.removedResources,
      nonce: wire.nonce,
      bytes,
    };
    this.responses.push(response);
    const error = this.opts.reject?.(response);
    if (error === undefined) this.apply(response);
    this.send({
      typeUrl: response.typeUrl,
      responseNonce: response.nonce,
      ...(error !== undefined && { errorDetail: { code: 3, message: error } }),
    });
    for (const listener of this.listeners) listener(response);
  }

  private apply(response: ReceivedResponse): void {
    const held = this.held.get(response.typeUrl) ?? new Map<string, ReceivedResource>();
    this.held.set(response.typeUrl, held);
    const added = response.resources.filter((r) => !held.has(r.name)).map((r) => r.name);
    const removed = response.removed.filter((name) => held.has(name));
    for (const r of response.resources) held.set(r.name, { version: r.version, value: r.value });
    for (const name of removed) held.delete(name);
    const dependent = DEPENDENT[response.typeUrl];
    if (dependent && (added.length > 0 || removed.length > 0)) {
      if (removed.length > 0) for (const name of removed) this.held.get(dependent)?.delete(name);
      this.send({ typeUrl: dependent, resourceNamesSubscribe: added, resourceNamesUnsubscribe: removed });
    }
  }

  private send(fields: Partial<DeltaDiscoveryRequest> & { readonly typeUrl: string }): void {
    this.call.write({
      resourceNamesSubscribe: [],
      resourceNamesUnsubscribe: [],
      initialResourceVersions: {},
      responseNonce: '',
      ...fields,
    });
  }
}

function describe(response: ReceivedResponse): string {
  const type = response.typeUrl.slice(response.typeUrl.lastIndexOf('.') + 1);
  const items = [...response.resources.map((r) => `${r.name}@${r.version}`), ...response.removed.map((n) => `-${n}`)];
  return `${type} ${items.join(',')}`.trim();
}
