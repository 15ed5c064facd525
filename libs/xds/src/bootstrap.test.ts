import protojson from 'protobufjs/ext/protojson.js';
import { describe, expect, it } from 'vitest';
import { renderBootstrap, type BootstrapOptions } from './bootstrap.ts';
import { messageType } from './protos.ts';

const options: BootstrapOptions = {
  nodeCluster: 'default/eg',
  nodeId: 'envoy-1',
  xdsHost: 'envoy-gateway',
  xdsPort: 18000,
  adminAddress: '127.0.0.1',
  adminPort: 19000,
};

type Json = Record<string, unknown>;

describe('renderBootstrap', () => {
  it('is a valid Envoy bootstrap', () => {
    const bootstrap = messageType('envoy.config.bootstrap.v3.Bootstrap');
    expect(() => protojson.fromJson(bootstrap, renderBootstrap(options))).not.toThrow();
  });

  it('identifies the node by the IR key and fetches listeners and clusters over Delta ADS', () => {
    const bootstrap = renderBootstrap(options);
    expect(bootstrap['node']).toEqual({ id: 'envoy-1', cluster: 'default/eg' });
    const dynamic = bootstrap['dynamic_resources'] as Json;
    expect(dynamic['ads_config']).toMatchObject({ api_type: 'DELTA_GRPC', set_node_on_first_message_only: true });
    expect(dynamic['lds_config']).toEqual({ ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' });
  });

  it('uses state-of-the-world ADS on request', () => {
    const dynamic = renderBootstrap({ ...options, apiType: 'GRPC' })['dynamic_resources'] as Json;
    expect(dynamic['ads_config']).toMatchObject({ api_type: 'GRPC' });
  });

  it('answers readiness on 0.0.0.0:19003 unless told otherwise', () => {
    const listenerOf = (b: Json): Json => ((b['static_resources'] as Json)['listeners'] as Json[])[0]!;
    expect(listenerOf(renderBootstrap(options))['address']).toEqual({
      socket_address: { address: '0.0.0.0', port_value: 19003 },
    });
    expect(listenerOf(renderBootstrap({ ...options, readinessPort: 0 }))['address']).toEqual({
      socket_address: { address: '0.0.0.0', port_value: 0 },
    });
  });
});
