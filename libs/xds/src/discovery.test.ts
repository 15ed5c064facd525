import { describe, expect, it } from 'vitest';
import {
  deltaDiscoveryRequestCodec,
  deltaDiscoveryResponseCodec,
  discoveryRequestCodec,
  discoveryResponseCodec,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from './discovery.ts';
import { DiscoveryDecodeError } from './errors.ts';
import { TYPE_URLS } from './resources.ts';

const resource = { typeUrl: TYPE_URLS.cluster, value: new Uint8Array([10, 1, 120]) };

describe('discovery codecs', () => {
  it('round-trip delta requests, with node, subscriptions, known versions and NACK detail', () => {
    const request: DeltaDiscoveryRequest = {
      node: { id: 'n', cluster: 'default/eg' },
      typeUrl: TYPE_URLS.endpoint,
      resourceNamesSubscribe: ['a', 'b'],
      resourceNamesUnsubscribe: ['c'],
      initialResourceVersions: { a: 'v1' },
      responseNonce: '7',
      errorDetail: { code: 3, message: 'bad' },
    };
    expect(deltaDiscoveryRequestCodec.decode(deltaDiscoveryRequestCodec.encode(request))).toEqual(request);
  });

  it('round-trip delta responses with resources in Any', () => {
    const response: DeltaDiscoveryResponse = {
      systemVersionInfo: '',
      resources: [{ name: 'x', version: 'v1', resource }],
      typeUrl: TYPE_URLS.cluster,
      removedResources: ['y'],
      nonce: '1',
    };
    expect(deltaDiscoveryResponseCodec.decode(deltaDiscoveryResponseCodec.encode(response))).toEqual(response);
  });

  it('round-trip state-of-the-world requests and responses', () => {
    const request: DiscoveryRequest = {
      versionInfo: 'v1',
      resourceNames: [],
      typeUrl: TYPE_URLS.listener,
      responseNonce: '',
    };
    const response: DiscoveryResponse = {
      versionInfo: 'v2',
      resources: [resource],
      typeUrl: TYPE_URLS.cluster,
      nonce: '2',
    };
    expect(discoveryRequestCodec.decode(discoveryRequestCodec.encode(request))).toEqual(request);
    expect(discoveryResponseCodec.decode(discoveryResponseCodec.encode(response))).toEqual(response);
  });

  it('rejects bytes that are not a discovery message', () => {
    expect(() => deltaDiscoveryRequestCodec.decode(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(DiscoveryDecodeError);
  });
});
