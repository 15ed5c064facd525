import type { HTTPListener } from '@eg/ir';

/** The IR listeners Envoy serves on one port: one Envoy Listener and one RouteConfiguration. */
export interface PortGroup {
  /** The first IR listener's name names the Envoy listener and route configuration, as in Envoy Gateway. */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly listeners: readonly HTTPListener[];
}

/** Groups IR listeners by the port Envoy binds, keeping IR order. */
export function portGroups(listeners: readonly HTTPListener[]): PortGroup[] {
  const groups = new Map<number, { name: string; address: string; port: number; listeners: HTTPListener[] }>();
  for (const listener of listeners) {
    const group = groups.get(listener.port);
    if (group) group.listeners.push(listener);
    else groups.set(listener.port, { ...pick(listener), listeners: [listener] });
  }
  return [...groups.values()];
}

function pick({ name, address, port }: HTTPListener): { name: string; address: string; port: number } {
  return { name, address, port };
}
