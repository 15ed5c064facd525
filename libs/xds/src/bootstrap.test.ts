import protojson from 'protobufjs/ext/protojson.js';
import { describe, expect, it } from 'vitest';
import { renderBootstrap, xdsSdsFiles, type BootstrapOptions } from './bootstrap.ts';
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

const tls = { sdsCertificatePath: '/sds/xds-certificate.json', sdsTrustedCaPath: '/sds/xds-trusted-ca.json' };

describe('renderBootstrap', () => {
  it('is a valid Envoy bootstrap, with mTLS and several xds-servers too', () => {
    const bootstrap = messageType('envoy.config.bootstrap.v3.Bootstrap');
    expect(() => protojson.fromJson(bootstrap, renderBootstrap(options))).not.toThrow();
    const secured = renderBootstrap({ ...options, moreXdsServers: [{ host: 'b', port: 18000 }], xdsTls: tls });
    expect(() => protojson.fromJson(bootstrap, secured)).not.toThrow();
  });

  it('dials every xds-server replica over TLS 1.3, checks the server name, and takes its certificate from SDS files', () => {
    const bootstrap = renderBootstrap({ ...options, moreXdsServers: [{ host: '10.0.0.2', port: 18001 }], xdsTls: tls });
    const cluster = ((bootstrap['static_resources'] as Json)['clusters'] as Json[])[0]!;
    const hosts = JSON.stringify((cluster['load_assignment'] as Json)['endpoints']);
    expect(hosts).toContain('"address":"envoy-gateway","port_value":18000');
    expect(hosts).toContain('"address":"10.0.0.2","port_value":18001');
    const context = ((cluster['transport_socket'] as Json)['typed_config'] as Json)['common_tls_context'] as Json;
    expect(context['tls_params']).toEqual({
      tls_minimum_protocol_version: 'TLSv1_3',
      tls_maximum_protocol_version: 'TLSv1_3',
    });
    expect(JSON.stringify(context)).toContain('"path":"/sds/xds-certificate.json"');
    expect(JSON.stringify(context)).toContain('"exact":"envoy-gateway"');
    expect(renderBootstrap(options)['static_resources']).not.toHaveProperty('clusters.0.transport_socket');
  });

  it('writes SDS files that are valid Secrets naming the certificate files', () => {
    const files = xdsSdsFiles({
      certificatePath: '/certs/tls.crt',
      privateKeyPath: '/certs/tls.key',
      caPath: '/certs/ca.crt',
    });
    const secret = messageType('envoy.extensions.transport_sockets.tls.v3.Secret');
    for (const file of [files.certificate, files.trustedCa]) {
      const [resource] = (file as { resources: Json[] }).resources;
      const { '@type': type, ...body } = resource!;
      expect(type).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
      expect(() => protojson.fromJson(secret, body)).not.toThrow();
    }
    expect(JSON.stringify(files.certificate)).toContain('"private_key":{"filename":"/certs/tls.key"}');
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
