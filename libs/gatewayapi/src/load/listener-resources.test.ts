import { describe, expect, it } from 'vitest';
import { loadResources } from '../load.ts';

// Loading the resources listeners and L4 routes need: Secrets, TLSRoute, TCPRoute, UDPRoute, EnvoyProxy and
// the listener, address and parametersRef fields of Gateways and GatewayClasses.

function load(text: string) {
  const { resources, errors } = loadResources(text, 'listeners.yaml');
  return { resources, errors: errors.map((e) => e.message) };
}

describe('loading listener resources', () => {
  it('decodes a TLS Secret, folding stringData into base64 data', () => {
    const { resources, errors } = load(`apiVersion: v1
kind: Secret
metadata: { name: cert, namespace: default }
type: kubernetes.io/tls
data: { tls.crt: aGVsbG8= }
stringData: { tls.key: world }
`);
    expect(errors).toEqual([]);
    expect(resources).toEqual([
      {
        kind: 'Secret',
        metadata: { name: 'cert', namespace: 'default', labels: {}, generation: 1 },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'aGVsbG8=', 'tls.key': Buffer.from('world').toString('base64') },
      },
    ]);
  });

  it('rejects Secret data that is not base64, naming the key', () => {
    const { errors } = load(`apiVersion: v1
kind: Secret
metadata: { name: cert, namespace: default }
data: { tls.crt: "not base64!" }
`);
    expect(errors).toEqual(['listeners.yaml:4: Secret default/cert: data.tls.crt: must be base64']);
  });

  it('serves GRPCRoute as v1alpha2, as clusters with Gateway API before v1.1 still store it', () => {
    const { resources, errors } = load(`apiVersion: gateway.networking.k8s.io/v1alpha2
kind: GRPCRoute
metadata: { name: old, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules: [{ matches: [{ method: { service: echo.Echo } }], backendRefs: [{ name: grpc, port: 9000 }] }]
`);
    expect(errors).toEqual([]);
    expect(resources).toMatchObject([
      { kind: 'GRPCRoute', spec: { rules: [{ backendRefs: [{ kind: 'Service', name: 'grpc', port: 9000 }] }] } },
    ]);
  });

  it('serves TLSRoute as v1alpha2, v1alpha3 and v1, TCPRoute and UDPRoute as v1alpha2 and v1', () => {
    const route = (apiVersion: string, kind: string) => `apiVersion: gateway.networking.k8s.io/${apiVersion}
kind: ${kind}
metadata: { name: r-${apiVersion}, namespace: default }
spec:
  parentRefs: [{ name: eg, sectionName: l4 }]
  rules: [{ backendRefs: [{ name: foo, port: 6000 }] }]
`;
    const docs = [
      ['v1alpha2', 'TLSRoute'],
      ['v1alpha3', 'TLSRoute'],
      ['v1', 'TLSRoute'],
      ['v1alpha2', 'TCPRoute'],
      ['v1', 'TCPRoute'],
      ['v1alpha2', 'UDPRoute'],
      ['v1', 'UDPRoute'],
    ].map(([v, k]) => route(v!, k!));
    const { resources, errors } = load(docs.join('---\n'));
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.kind)).toEqual([
      'TLSRoute',
      'TLSRoute',
      'TLSRoute',
      'TCPRoute',
      'TCPRoute',
      'UDPRoute',
      'UDPRoute',
    ]);
    expect(resources[3]).toMatchObject({
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg', sectionName: 'l4' }],
        rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'foo', port: 6000, weight: 1 }] }],
      },
    });
  });

  it('requires rules, and a port on Service backendRefs, in L4 routes', () => {
    const { errors } = load(`apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: { name: dns, namespace: default }
spec:
  parentRefs: [{ name: eg }]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: { name: db, namespace: default }
spec:
  rules: [{ backendRefs: [{ name: postgres }] }]
`);
    expect(errors).toEqual([
      'listeners.yaml:5: UDPRoute default/dns: spec.rules: is required',
      'listeners.yaml:11: TCPRoute default/db: spec.rules[0].backendRefs[0].port: is required for a Service reference',
    ]);
  });

  it('requires tls on HTTPS listeners and checks Gateway addresses', () => {
    const { errors } = load(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  addresses: [{ value: 10.0.0.300 }, { type: Hostname, value: a.example.com }, { type: Hostname, value: a.example.com }]
  listeners: [{ name: https, protocol: HTTPS, port: 443 }]
`);
    expect(errors).toEqual([
      'listeners.yaml:7: Gateway default/eg: spec.listeners[0].tls: must be set for protocol HTTPS',
      'listeners.yaml:6: Gateway default/eg: spec.addresses[0].value: must be an IPv4 or IPv6 address',
      'listeners.yaml:6: Gateway default/eg: spec.addresses[2]: Hostname value "a.example.com" must be unique',
    ]);
  });

  it('decodes a GatewayClass parametersRef', () => {
    const { resources, errors } = load(`apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy-config, namespace: envoy-gateway-system }
`);
    expect(errors).toEqual([]);
    expect(resources[0]).toMatchObject({
      spec: {
        parametersRef: {
          group: 'gateway.envoyproxy.io',
          kind: 'EnvoyProxy',
          name: 'proxy-config',
          namespace: 'envoy-gateway-system',
        },
      },
    });
  });
});
