import type { Listener } from '../resources.ts';

export interface ListenerConflict {
  readonly reason: 'ProtocolConflict' | 'HostnameConflict';
  readonly message: string;
}

const MSG_PROTOCOL = 'All listeners for a given port must use a compatible protocol';
const MSG_HOSTNAME = 'All listeners for a given port must use a unique hostname';

/** Protocols that can share a TCP port: HTTPS and TLS both pick their listener by SNI. */
function family(protocol: string): string {
  return protocol === 'HTTPS' || protocol === 'TLS' ? 'SNI' : protocol;
}

/**
 * The listeners of one Gateway that cannot be told apart on their port. UDP has its own port space. Within a
 * Gateway no listener wins a conflict: every listener involved is conflicted, as the Gateway API asks.
 */
export function findConflicts(listeners: readonly Listener[]): Map<string, ListenerConflict> {
  const conflicts = new Map<string, ListenerConflict>();
  const byPort = new Map<string, Listener[]>();
  for (const l of listeners) {
    const key = `${l.protocol === 'UDP' ? 'udp' : 'tcp'}/${l.port}`;
    byPort.set(key, [...(byPort.get(key) ?? []), l]);
  }
  for (const group of byPort.values()) {
    // TLS listeners of both modes on one port (TLSRouteModeMixed) are not supported, as in Envoy Gateway.
    const tlsModes = new Set(group.filter((l) => l.protocol === 'TLS').map((l) => l.tls?.mode));
    if (new Set(group.map((l) => family(l.protocol))).size > 1 || tlsModes.size > 1) {
      for (const l of group) conflicts.set(l.name, { reason: 'ProtocolConflict', message: MSG_PROTOCOL });
      continue;
    }
    const byHostname = new Map<string, Listener[]>();
    for (const l of group) {
      const host = l.hostname ?? '';
      byHostname.set(host, [...(byHostname.get(host) ?? []), l]);
    }
    for (const same of byHostname.values()) {
      if (same.length < 2) continue;
      for (const l of same) conflicts.set(l.name, { reason: 'HostnameConflict', message: MSG_HOSTNAME });
    }
  }
  return conflicts;
}
