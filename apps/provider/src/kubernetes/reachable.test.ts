import { describe, expect, it } from 'vitest';
import { reachableObjects, type RawObject } from './reachable.ts';

const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

function obj(kind: string, name: string, namespace: string | undefined, rest: object = {}): RawObject {
  return { kind, metadata: { name, ...(namespace && { namespace }) }, ...rest } as RawObject;
}

const cluster: Record<string, RawObject[]> = {
  GatewayClass: [
    obj('GatewayClass', 'eg', undefined, {
      spec: {
        controllerName: CONTROLLER,
        parametersRef: {
          group: 'gateway.envoyproxy.io',
          kind: 'EnvoyProxy',
          name: 'proxy',
          namespace: 'envoy-gateway-system',
        },
      },
    }),
    obj('GatewayClass', 'other', undefined, { spec: { controllerName: 'example.com/other' } }),
  ],
  Gateway: [
    obj('Gateway', 'eg', 'infra', {
      spec: {
        gatewayClassName: 'eg',
        listeners: [
          { name: 'https', tls: { certificateRefs: [{ name: 'cert' }, { name: 'shared', namespace: 'certs' }] } },
        ],
      },
    }),
    obj('Gateway', 'foreign', 'infra', {
      spec: { gatewayClassName: 'other', listeners: [{ tls: { certificateRefs: [{ name: 'their-cert' }] } }] },
    }),
  ],
  HTTPRoute: [
    obj('HTTPRoute', 'mine', 'apps', {
      spec: {
        parentRefs: [{ name: 'eg', namespace: 'infra' }],
        rules: [
          {
            backendRefs: [
              { name: 'web', port: 80 },
              { group: 'multicluster.x-k8s.io', kind: 'ServiceImport', name: 'remote', port: 80 },
            ],
          },
          { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'mirror', port: 80 } } }] },
        ],
      },
    }),
    obj('HTTPRoute', 'theirs', 'apps', {
      spec: {
        parentRefs: [{ name: 'foreign', namespace: 'infra' }],
        rules: [{ backendRefs: [{ name: 'other-web' }] }],
      },
    }),
  ],
  Service: ['web', 'mirror', 'other-web'].map((n) => obj('Service', n, 'apps')),
  ServiceImport: [obj('ServiceImport', 'remote', 'apps')],
  EndpointSlice: [
    obj('EndpointSlice', 'web-1', 'apps', {
      metadata: { name: 'web-1', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'web' } },
    }),
    obj('EndpointSlice', 'remote-1', 'apps', {
      metadata: {
        name: 'remote-1',
        namespace: 'apps',
        labels: { 'multicluster.kubernetes.io/service-name': 'remote' },
      },
    }),
    obj('EndpointSlice', 'other-1', 'apps', {
      metadata: { name: 'other-1', namespace: 'apps', labels: { 'kubernetes.io/service-name': 'other-web' } },
    }),
  ],
  Secret: [
    obj('Secret', 'cert', 'infra'),
    obj('Secret', 'shared', 'certs'),
    obj('Secret', 'their-cert', 'infra'),
    obj('Secret', 'oidc', 'apps'),
    ...Array.from({ length: 10_000 }, (_, i) => obj('Secret', `unrelated-${i}`, 'apps')),
  ],
  EnvoyProxy: [obj('EnvoyProxy', 'proxy', 'envoy-gateway-system'), obj('EnvoyProxy', 'unused', 'envoy-gateway-system')],
  SecurityPolicy: [obj('SecurityPolicy', 'oidc', 'apps', { spec: { oidc: { clientSecret: { name: 'oidc' } } } })],
  Namespace: [obj('Namespace', 'apps', undefined)],
};

describe('reachableObjects', () => {
  it('keeps what a managed GatewayClass reaches and nothing of 10,000 unrelated Secrets', () => {
    const ids = reachableObjects((kind) => cluster[kind] ?? []).map(
      (o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`,
    );
    expect(ids.sort()).toEqual([
      'EndpointSlice apps/remote-1',
      'EndpointSlice apps/web-1',
      'EnvoyProxy envoy-gateway-system/proxy',
      'Gateway infra/eg',
      'GatewayClass /eg',
      'HTTPRoute apps/mine',
      'Namespace /apps',
      'Secret apps/oidc',
      'Secret certs/shared',
      'Secret infra/cert',
      'SecurityPolicy apps/oidc',
      'Service apps/mirror',
      'Service apps/web',
      'ServiceImport apps/remote',
    ]);
  });
});
