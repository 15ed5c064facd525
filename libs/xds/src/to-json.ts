import protojson from 'protobufjs/ext/protojson.js';
import { typeName } from './encode.ts';
import { messageType } from './protos.ts';
import type { XdsResource, XdsResources } from './resources.ts';

export type XdsResourcesJSON = Record<keyof XdsResources, unknown[]>;

/** The resources decoded to ProtoJSON (Any expanded with `@type`), for `egctl x translate --to xds` and golden files. */
export function toJSON(resources: XdsResources): XdsResourcesJSON {
  return {
    listeners: decode(resources.listeners),
    routes: decode(resources.routes),
    clusters: decode(resources.clusters),
    endpoints: decode(resources.endpoints),
    secrets: decode(resources.secrets),
  };
}

function decode(resources: readonly XdsResource[]): unknown[] {
  return resources.map((r) => {
    const type = messageType(typeName(r.typeUrl));
    return protojson.toJson(type, type.decode(r.value)) as unknown;
  });
}
