import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import {
  deltaDiscoveryRequestCodec,
  deltaDiscoveryResponseCodec,
  discoveryRequestCodec,
  discoveryResponseCodec,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type MessageCodec,
} from './discovery.ts';

const SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** Envoy's AggregatedDiscoveryService, encoded with the codecs of @eg/xds rather than generated stubs. */
export const ADS_SERVICE: ServiceDefinition = {
  StreamAggregatedResources: bidi<DiscoveryRequest, DiscoveryResponse>(
    'StreamAggregatedResources',
    discoveryRequestCodec,
    discoveryResponseCodec,
  ),
  DeltaAggregatedResources: bidi<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(
    'DeltaAggregatedResources',
    deltaDiscoveryRequestCodec,
    deltaDiscoveryResponseCodec,
  ),
};

function bidi<Req, Res>(
  method: string,
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
): MethodDefinition<Req, Res> {
  return {
    path: `/${SERVICE}/${method}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (value) => toBuffer(request.encode(value)),
    requestDeserialize: (bytes) => request.decode(bytes),
    responseSerialize: (value) => toBuffer(response.encode(value)),
    responseDeserialize: (bytes) => response.decode(bytes),
  };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
