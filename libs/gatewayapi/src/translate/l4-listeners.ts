import type { SourceMetadata, TCPListener, TCPRoute, UDPListener } from '@eg/ir';
import { compareL4Age, type L4Attachment } from './l4route.ts';
import type { ListenerContext } from './listeners.ts';

function listenerMetadata({ gateway, spec }: ListenerContext): SourceMetadata {
  return {
    kind: 'Gateway',
    namespace: gateway.metadata.namespace,
    name: gateway.metadata.name,
    sectionName: spec.name,
  };
}

function routeMetadata({ route }: L4Attachment): SourceMetadata {
  return { kind: route.kind, namespace: route.metadata.namespace, name: route.metadata.name };
}

/**
 * A TCP listener (plain, TLS passthrough or TLS terminate). TLSRoutes split connections by SNI, each name
 * going to the oldest route that claims it; TCPRoutes cannot tell connections apart, so the oldest takes the
 * rest.
 */
export function xdsTCPListener(listener: ListenerContext, attachments: readonly L4Attachment[]): TCPListener {
  const ordered = [...attachments].sort(compareL4Age);
  const routes: TCPRoute[] = [];
  const claimed = new Set<string>();
  for (const a of ordered.filter((o) => o.route.kind === 'TLSRoute')) {
    const snis = a.hostnames.filter((h) => !claimed.has(h));
    if (snis.length === 0) continue;
    for (const h of snis) claimed.add(h);
    routes.push({ name: a.destination.name, snis, destination: a.destination, metadata: routeMetadata(a) });
  }
  const [tcp] = ordered.filter((o) => o.route.kind === 'TCPRoute');
  if (tcp) routes.push({ name: tcp.destination.name, destination: tcp.destination, metadata: routeMetadata(tcp) });
  const { serve } = listener;
  return {
    name: listener.irName,
    address: '0.0.0.0',
    port: listener.containerPort,
    externalPort: listener.spec.port,
    ...(serve?.type === 'TLSTerminate' && { tls: serve.tls }),
    routes,
    metadata: listenerMetadata(listener),
  };
}

/** UDP has no per-datagram selector either: the oldest route takes the listener. */
export function xdsUDPListener(listener: ListenerContext, attachments: readonly L4Attachment[]): UDPListener {
  const [first] = [...attachments].sort(compareL4Age);
  return {
    name: listener.irName,
    address: '0.0.0.0',
    port: listener.containerPort,
    externalPort: listener.spec.port,
    ...(first && {
      route: { name: first.destination.name, destination: first.destination, metadata: routeMetadata(first) },
    }),
    metadata: listenerMetadata(listener),
  };
}
