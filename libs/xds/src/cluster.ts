import type { DestinationEndpoint, DestinationSetting, TLSCertificate } from '@eg/ir';
import type { DestinationCluster } from './destination.ts';
import { anyType, type ProtoJson } from './encode.ts';
import { HTTP_PROTOCOL_OPTIONS } from './extension-types.ts';
import { BUFFER_LIMIT_BYTES } from './limits.ts';
import { upstreamTLSSocket } from './upstream-tls.ts';

/** An Envoy cluster, and for IP backends the ClusterLoadAssignment sent alongside it over EDS. */
export interface ClusterConfig {
  readonly cluster: ProtoJson;
  readonly loadAssignment?: ProtoJson;
}

/** IP backends use EDS so endpoint changes do not rebuild the cluster; FQDN backends let Envoy resolve DNS. */
export function clusterConfig(
  { name, setting }: DestinationCluster,
  clientCertificate?: TLSCertificate,
): ClusterConfig {
  const common = {
    name,
    connectTimeout: '10s',
    lbPolicy: 'LEAST_REQUEST',
    perConnectionBufferLimitBytes: BUFFER_LIMIT_BYTES,
    circuitBreakers: { thresholds: [{ maxRetries: 1024 }] },
    ...upstreamProtocol(setting),
    ...(setting.tls && {
      transportSocket: upstreamTLSSocket(setting.tls, setting.protocol === 'HTTP2', clientCertificate),
    }),
  };
  if (setting.addressType === 'FQDN') {
    return {
      cluster: {
        ...common,
        type: 'STRICT_DNS',
        dnsRefreshRate: '30s',
        respectDnsTtl: true,
        // Names like `localhost` resolve to both families; most backends listen on IPv4.
        dnsLookupFamily: 'V4_PREFERRED',
        loadAssignment: loadAssignment(name, setting.endpoints),
      },
    };
  }
  return {
    cluster: { ...common, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } } },
    loadAssignment: loadAssignment(name, setting.endpoints),
  };
}

/** HTTP/2 backends (gRPC) get HTTP/2 (h2c without TLS); the others keep Envoy's default, HTTP/1.1. */
function upstreamProtocol(setting: DestinationSetting): ProtoJson {
  if (setting.protocol !== 'HTTP2') return {};
  return {
    typedExtensionProtocolOptions: {
      [HTTP_PROTOCOL_OPTIONS]: {
        '@type': anyType(HTTP_PROTOCOL_OPTIONS),
        explicitHttpConfig: { http2ProtocolOptions: {} },
      },
    },
  };
}

function loadAssignment(clusterName: string, endpoints: readonly DestinationEndpoint[]): ProtoJson {
  return {
    clusterName,
    endpoints: [
      {
        lbEndpoints: endpoints.map((e) => ({
          endpoint: { address: { socketAddress: { address: e.host, portValue: e.port } } },
          loadBalancingWeight: 1,
        })),
      },
    ],
  };
}
