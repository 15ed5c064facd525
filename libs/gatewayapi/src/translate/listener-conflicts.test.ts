import { describe, expect, it } from 'vitest';
import type { Listener } from '../resources.ts';
import { findConflicts } from './listener-conflicts.ts';

const listener = (name: string, protocol: string, port: number, extra: Partial<Listener> = {}): Listener => ({
  name,
  protocol,
  port,
  allowedRoutes: { namespaces: { from: 'Same' } },
  ...extra,
});
const passthrough = { mode: 'Passthrough', certificateRefs: [], options: {} } as const;
const terminate = { mode: 'Terminate', certificateRefs: [], options: {} } as const;

function reasons(listeners: Listener[]): Record<string, string> {
  return Object.fromEntries([...findConflicts(listeners)].map(([name, c]) => [name, c.reason]));
}

describe('findConflicts', () => {
  it('lets HTTPS and TLS passthrough share a port when their hostnames differ', () => {
    expect(
      reasons([
        listener('https', 'HTTPS', 443, { hostname: 'a.example.com', tls: terminate }),
        listener('tls', 'TLS', 443, { hostname: 'b.example.com', tls: passthrough }),
      ]),
    ).toEqual({});
  });

  it('conflicts every listener on a port whose protocols cannot be told apart', () => {
    expect(
      reasons([
        listener('http', 'HTTP', 80),
        listener('tcp', 'TCP', 80),
        listener('https', 'HTTPS', 443, { tls: terminate }),
        listener('http-443', 'HTTP', 443),
      ]),
    ).toEqual({
      http: 'ProtocolConflict',
      tcp: 'ProtocolConflict',
      https: 'ProtocolConflict',
      'http-443': 'ProtocolConflict',
    });
  });

  it('conflicts TLS listeners of both modes on one port', () => {
    expect(
      reasons([
        listener('pass', 'TLS', 8443, { hostname: 'a.example.com', tls: passthrough }),
        listener('term', 'TLS', 8443, { hostname: 'b.example.com', tls: terminate }),
      ]),
    ).toEqual({ pass: 'ProtocolConflict', term: 'ProtocolConflict' });
  });

  it('conflicts listeners of one port with the same hostname, and keeps UDP ports apart from TCP ports', () => {
    expect(
      reasons([
        listener('a', 'HTTPS', 443, { hostname: 'same.example.com', tls: terminate }),
        listener('b', 'TLS', 443, { hostname: 'same.example.com', tls: passthrough }),
        listener('tcp', 'TCP', 53),
        listener('udp', 'UDP', 53),
      ]),
    ).toEqual({ a: 'HostnameConflict', b: 'HostnameConflict' });
  });
});
