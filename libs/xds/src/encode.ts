import { createHash } from 'node:crypto';
import protojson from 'protobufjs/ext/protojson.js';
import { XdsEncodeError } from './errors.ts';
import { messageType } from './protos.ts';
import type { ResourceTypeUrl, XdsResource } from './resources.ts';

/** A message in ProtoJSON form (`@type` for Any, `"10s"` for durations), as Envoy's docs write it. */
export type ProtoJson = Readonly<Record<string, unknown>>;

/** Encodes a ProtoJSON resource; its version is a hash of the bytes, so equal config has an equal version. */
export function encodeResource(typeUrl: ResourceTypeUrl, name: string, json: ProtoJson): XdsResource {
  const type = messageType(typeName(typeUrl));
  let value: Uint8Array;
  try {
    value = type.encode(protojson.fromJson(type, json)).finish();
  } catch (err) {
    throw new XdsEncodeError(`cannot encode ${type.name} ${JSON.stringify(name)}`, { cause: err });
  }
  return { name, typeUrl, value, version: createHash('sha256').update(value).digest('hex').slice(0, 16) };
}

/** `type.googleapis.com/envoy.config.listener.v3.Listener` -> `envoy.config.listener.v3.Listener` */
export function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** `@type` of an Any holding `fullName`. */
export function anyType(fullName: string): string {
  return `type.googleapis.com/${fullName}`;
}

/** A protobuf Duration in its JSON form (`1.5s`), from milliseconds. */
export function protoDuration(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}
