import {
  credentials,
  makeGenericClientConstructor,
  status as GrpcStatus,
  type ClientDuplexStream,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADS_SERVICE, TYPE_URLS, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse } from '@eg/xds';

import { startXdsServer, type XdsServer } from '../src/ads-server.ts';

const AdsClient = makeGenericClientConstructor(ADS_SERVICE, 'AggregatedDiscoveryService');

describe('startXdsServer', () => {
  let server: XdsServer;

  beforeAll(async () => {
    server = await startXdsServer({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('ends a stream whose first request has no node with INVALID_ARGUMENT', async () => {
    const client = new AdsClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const call = (
        client['DeltaAggregatedResources'] as () => ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>
      ).call(client);
      const ended = new Promise<{ code: number; details: string }>((resolve) => call.on('error', resolve));
      call.write({
        typeUrl: TYPE_URLS.cluster,
        resourceNamesSubscribe: [],
        resourceNamesUnsubscribe: [],
        initialResourceVersions: {},
        responseNonce: '',
      });
      const error = await ended;
      expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(error.details).toMatch(/node/);
    } finally {
      client.close();
    }
  });
});
