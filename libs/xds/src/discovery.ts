import type protobuf from 'protobufjs';
import { DiscoveryDecodeError } from './errors.ts';
import { messageType } from './protos.ts';

/** The node identity Envoy sends; `cluster` is the IR key. */
export interface Node {
  readonly id: string;
  readonly cluster: string;
}

/** Why Envoy rejected a response (a NACK). */
export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

/** An encoded resource in a `google.protobuf.Any`. */
export interface AnyResource {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly node?: Node;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

export interface DiscoveryResponse {
  readonly versionInfo: string;
  readonly resources: readonly AnyResource[];
  readonly typeUrl: string;
  readonly nonce: string;
}

export interface DeltaDiscoveryRequest {
  readonly node?: Node;
  readonly typeUrl: string;
  readonly resourceNamesSubscribe: readonly string[];
  readonly resourceNamesUnsubscribe: readonly string[];
  /** Resources the client already has, sent on the first request of a reconnect. */
  readonly initialResourceVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

export interface DeltaResource {
  readonly name: string;
  readonly version: string;
  readonly resource: AnyResource;
}

export interface DeltaDiscoveryResponse {
  readonly systemVersionInfo: string;
  readonly resources: readonly DeltaResource[];
  readonly typeUrl: string;
  readonly removedResources: readonly string[];
  readonly nonce: string;
}

/** Wire encoding of one discovery message. */
export interface MessageCodec<T> {
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

type Fields = Readonly<Record<string, unknown>>;

const PACKAGE = 'envoy.service.discovery.v3';

export const discoveryRequestCodec = codec<DiscoveryRequest>(
  'DiscoveryRequest',
  (m) => m,
  (m) => ({
    versionInfo: text(m, 'versionInfo'),
    ...optionalNode(m),
    resourceNames: texts(m, 'resourceNames'),
    typeUrl: text(m, 'typeUrl'),
    responseNonce: text(m, 'responseNonce'),
    ...optionalErrorDetail(m),
  }),
);

export const discoveryResponseCodec = codec<DiscoveryResponse>(
  'DiscoveryResponse',
  (m) => ({ ...m, resources: m.resources.map(anyToWire) }),
  (m) => ({
    versionInfo: text(m, 'versionInfo'),
    resources: list(m, 'resources').map(anyResource),
    typeUrl: text(m, 'typeUrl'),
    nonce: text(m, 'nonce'),
  }),
);

export const deltaDiscoveryRequestCodec = codec<DeltaDiscoveryRequest>(
  'DeltaDiscoveryRequest',
  (m) => m,
  (m) => ({
    ...optionalNode(m),
    typeUrl: text(m, 'typeUrl'),
    resourceNamesSubscribe: texts(m, 'resourceNamesSubscribe'),
    resourceNamesUnsubscribe: texts(m, 'resourceNamesUnsubscribe'),
    initialResourceVersions: textMap(m, 'initialResourceVersions'),
    responseNonce: text(m, 'responseNonce'),
    ...optionalErrorDetail(m),
  }),
);

export const deltaDiscoveryResponseCodec = codec<DeltaDiscoveryResponse>(
  'DeltaDiscoveryResponse',
  (m) => ({ ...m, resources: m.resources.map((r) => ({ ...r, resource: anyToWire(r.resource) })) }),
  (m) => ({
    systemVersionInfo: text(m, 'systemVersionInfo'),
    resources: list(m, 'resources').map((r) => ({
      name: text(r, 'name'),
      version: text(r, 'version'),
      resource: anyResource(field(r, 'resource')),
    })),
    typeUrl: text(m, 'typeUrl'),
    removedResources: texts(m, 'removedResources'),
    nonce: text(m, 'nonce'),
  }),
);

/**
 * The interfaces use protobufjs' camelCase field names, so messages encode nearly as they are; only
 * google.protobuf.Any, a built-in protobufjs type, keeps the .proto name `type_url`.
 */
function codec<T extends object>(
  name: string,
  toWire: (message: T) => object,
  parse: (fields: Fields) => T,
): MessageCodec<T> {
  let type: protobuf.Type | undefined;
  const lookup = (): protobuf.Type => (type ??= messageType(`${PACKAGE}.${name}`));
  return {
    encode: (message) => lookup().encode(toWire(message)).finish(),
    decode: (bytes) => {
      try {
        const t = lookup();
        const fields: Fields = t.toObject(t.decode(bytes), { defaults: true, arrays: true, objects: true });
        return parse(fields);
      } catch (err) {
        throw new DiscoveryDecodeError(`malformed ${name}`, { cause: err });
      }
    },
  };
}

function asFields(value: unknown, what: string): Fields {
  if (value === null || typeof value !== 'object') throw new DiscoveryDecodeError(`${what} is not a message`);
  return value as Fields;
}

function field(fields: Fields, key: string): Fields {
  return asFields(fields[key], key);
}

function text(fields: Fields, key: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new DiscoveryDecodeError(`${key} is not a string`);
  return value;
}

function items(fields: Fields, key: string): readonly unknown[] {
  const value: unknown = fields[key];
  if (!Array.isArray(value)) throw new DiscoveryDecodeError(`${key} is not a list`);
  return value;
}

function list(fields: Fields, key: string): Fields[] {
  return items(fields, key).map((item, i) => asFields(item, `${key}[${i}]`));
}

function texts(fields: Fields, key: string): string[] {
  return items(fields, key).map((item, i) => {
    if (typeof item !== 'string') throw new DiscoveryDecodeError(`${key}[${i}] is not a string`);
    return item;
  });
}

function textMap(fields: Fields, key: string): Record<string, string> {
  const value = field(fields, key);
  return Object.fromEntries(Object.keys(value).map((k) => [k, text(value, k)]));
}

function anyToWire({ typeUrl, value }: AnyResource): object {
  return { type_url: typeUrl, value };
}

function anyResource(fields: Fields): AnyResource {
  const value = fields['value'];
  if (!(value instanceof Uint8Array)) throw new DiscoveryDecodeError('Any value is not bytes');
  // protobufjs hands out Buffers on Node; a plain view keeps the type what the interface says.
  return { typeUrl: text(fields, 'type_url'), value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
}

function optionalNode(fields: Fields): { node?: Node } {
  if (fields['node'] == null) return {};
  const node = field(fields, 'node');
  return { node: { id: text(node, 'id'), cluster: text(node, 'cluster') } };
}

function optionalErrorDetail(fields: Fields): { errorDetail?: ErrorDetail } {
  if (fields['errorDetail'] == null) return {};
  const detail = field(fields, 'errorDetail');
  const code = detail['code'];
  if (typeof code !== 'number') throw new DiscoveryDecodeError('errorDetail.code is not a number');
  return { errorDetail: { code, message: text(detail, 'message') } };
}
