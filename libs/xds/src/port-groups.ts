import type { HTTPListener, TCPListener } from '@eg/ir';

/** The IR listeners Envoy serves on one TCP port: one Envoy Listener. */
export interface PortGroup {
  /** The first IR listener's name names the Envoy listener, as in Envoy Gateway. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Plain HTTP: one shared filter chain and route configuration. */
  readonly http: readonly HTTPListener[];
  /** HTTPS: a filter chain and route configuration each, chosen by SNI. */
  readonly https: readonly HTTPListener[];
  /** TCP proxies: TLS passthrough routes chosen by SNI, a plain TCP route for the rest. */
  readonly tcp: readonly TCPListener[];
}

interface MutableGroup {
  name: string;
  address: string;
  port: number;
  http: HTTPListener[];
  https: HTTPListener[];
  tcp: TCPListener[];
}

/** Groups IR listeners by the TCP port Envoy binds, keeping IR order (HTTP listeners first). */
export function portGroups(http: readonly HTTPListener[], tcp: readonly TCPListener[] = []): PortGroup[] {
  const groups = new Map<number, MutableGroup>();
  const groupOf = ({ name, address, port }: { name: string; address: string; port: number }): MutableGroup => {
    let group = groups.get(port);
    if (!group) {
      group = { name, address, port, http: [], https: [], tcp: [] };
      groups.set(port, group);
    }
    return group;
  };
  for (const listener of http) (listener.tls ? groupOf(listener).https : groupOf(listener).http).push(listener);
  for (const listener of tcp) groupOf(listener).tcp.push(listener);
  return [...groups.values()];
}

/** The route configuration of the group's plain HTTP listeners, named after the first of them. */
export function plainRouteConfigName(group: PortGroup): string | undefined {
  return group.http[0]?.name;
}
