import type { DestinationEndpoint } from '@eg/ir';
import type { DestinationCluster } from './destination.ts';
import type { ProtoJson } from './encode.ts';
import { BUFFER_LIMIT_BYTES } from './limits.ts';

/** An Envoy cluster, and for IP backends the ClusterLoadAssignment sent alongside it over EDS. */
export interface ClusterConfig {
  readonly cluster: ProtoJson;
  readonly loadAssignment?: ProtoJson;
}

/** IP backends use EDS so endpoint changes do not rebuild the cluster; FQDN backends let Envoy resolve DNS. */
export function clusterConfig({ name, setting }: DestinationCluster): ClusterConfig {
  const common = {
    name,
    connectTimeout: '10s',
    lbPolicy: 'LEAST_REQUEST',
    perConnectionBufferLimitBytes: BUFFER_LIMIT_BYTES,
    circuitBreakers: { thresholds: [{ maxRetries: 1024 }] },
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
