import type { DestinationSetting, HTTPListener, HTTPRoute, RouteAction, XdsIR } from '@eg/ir';

/** Small IR builders for the tests of this package. */
export function setting(
  name: string,
  weight: number,
  port: number,
  extra: Partial<DestinationSetting> = {},
): DestinationSetting {
  return { name, weight, addressType: 'IP', endpoints: [{ host: '127.0.0.1', port }], ...extra };
}

export function forward(destination: string, settings: readonly DestinationSetting[]): RouteAction {
  return { type: 'Forward', destination: { name: destination, settings } };
}

export function route(name: string, path: string, action: RouteAction, hostname = '*'): HTTPRoute {
  return {
    name,
    hostname,
    pathMatch: { type: 'Prefix', value: path },
    headerMatches: [],
    action,
    metadata: { kind: 'HTTPRoute', namespace: 'default', name },
  };
}

export function listener(name: string, port: number, routes: readonly HTTPRoute[]): HTTPListener {
  return {
    name,
    address: '0.0.0.0',
    port,
    externalPort: port,
    hostnames: ['*'],
    routes,
    metadata: { kind: 'Gateway', namespace: 'default', name: 'eg', sectionName: name },
  };
}

export function ir(...listeners: HTTPListener[]): XdsIR {
  return { http: listeners };
}
