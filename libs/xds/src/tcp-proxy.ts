import type { RouteDestination, TCPRoute, UDPListener } from '@eg/ir';
import { destinationClusters, hasCluster } from './destination.ts';
import { anyType, type ProtoJson } from './encode.ts';
import { TCP_PROXY, UDP_PROXY, UDP_PROXY_ROUTE } from './extension-types.ts';
import { BUFFER_LIMIT_BYTES } from './limits.ts';

/** The cluster a connection goes to; a destination with no usable backend names none, and Envoy closes it. */
function target(destination: RouteDestination): ProtoJson {
  const clusters = destinationClusters(destination).filter(hasCluster);
  const [single] = clusters;
  if (clusters.length > 1) {
    return { weightedClusters: { clusters: clusters.map((c) => ({ name: c.name, weight: c.setting.weight })) } };
  }
  return { cluster: single?.name ?? destination.name };
}

export function tcpProxyFilter(route: TCPRoute, statPrefix: string): ProtoJson {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typedConfig: { '@type': anyType(TCP_PROXY), statPrefix, ...target(route.destination) },
  };
}

/** A UDP listener proxying every datagram session to its route's cluster; none when it has no route. */
export function udpListener(listener: UDPListener): ProtoJson | undefined {
  const { route } = listener;
  if (!route) return undefined;
  const [cluster] = destinationClusters(route.destination).filter(hasCluster);
  return {
    name: listener.name,
    address: { socketAddress: { protocol: 'UDP', address: listener.address, portValue: listener.port } },
    udpListenerConfig: {},
    listenerFilters: [
      {
        name: 'envoy.filters.udp_listener.udp_proxy',
        typedConfig: {
          '@type': anyType(UDP_PROXY),
          statPrefix: `udp-${listener.port}`,
          matcher: {
            onNoMatch: {
              action: {
                name: 'route',
                typedConfig: { '@type': anyType(UDP_PROXY_ROUTE), cluster: cluster?.name ?? route.destination.name },
              },
            },
          },
        },
      },
    ],
    perConnectionBufferLimitBytes: BUFFER_LIMIT_BYTES,
  };
}
