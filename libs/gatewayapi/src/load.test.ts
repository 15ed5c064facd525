import { describe, expect, it } from 'vitest';
import { loadResources } from './load.ts';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
spec:
  gatewayClassName: eg
  listeners:
    - name: http
      protocol: HTTP
      port: 8888
`;

function messages(text: string): string[] {
  return loadResources(text, 'routes.yaml').errors.map((e) => e.message);
}

describe('loadResources', () => {
  it('applies the schema defaults and puts namespace-less resources in envoy-gateway-system', () => {
    const { resources, errors } = loadResources(
      `${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r }
spec:
  parentRefs: [{ name: eg }]
  rules:
    - backendRefs: [{ name: svc, port: 80 }]
`,
      'f.yaml',
    );
    expect(errors).toEqual([]);
    expect(resources).toMatchObject([
      {
        kind: 'Gateway',
        metadata: { namespace: 'envoy-gateway-system', generation: 1, labels: {} },
        spec: { listeners: [{ allowedRoutes: { namespaces: { from: 'Same' } } }] },
      },
      {
        kind: 'HTTPRoute',
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg' }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [] }],
              backendRefs: [{ group: '', kind: 'Service', name: 'svc', port: 80, weight: 1 }],
            },
          ],
        },
      },
    ]);
  });

  it('names the file, line, resource and field path of an invalid value', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: foo
  namespace: default
spec:
  rules:
    - backendRefs:
        - name: a
          port: 80
        - name: b
          port: 70000
`;
    expect(messages(text)).toEqual([
      'routes.yaml:12: HTTPRoute default/foo: spec.rules[0].backendRefs[1].port: must be an integer 1-65535',
    ]);
  });

  it('points a missing field at the enclosing object', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: foo }
spec:
  rules:
    - backendRefs:
        - name: svc
          weight: 2
`;
    expect(messages(text)).toEqual([
      'routes.yaml:7: HTTPRoute envoy-gateway-system/foo: spec.rules[0].backendRefs[0].port: is required for a Service reference',
    ]);
  });

  it('keeps the valid documents of a file with an invalid one', () => {
    const text = `${GATEWAY}---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: bad }
spec: { controllerName: example }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: b }
spec:
  endpoints: [{ ip: { address: 10.0.0.1, port: 3000 } }]
`;
    const { resources, errors } = loadResources(text, 'routes.yaml');
    expect(resources.map((r) => r.kind)).toEqual(['Gateway', 'Backend']);
    expect(errors.map((e) => e.message)).toEqual([
      'routes.yaml:15: GatewayClass bad: spec.controllerName: must be a domain-prefixed path such as example.com/controller',
    ]);
  });

  it('reports every problem of a document', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: foo, namespace: default }
spec:
  hostnames: [Example.com, "*.ok.example.com", "foo.*.com"]
  rules:
    - matches:
        - path: { type: Prefix, value: /a }
        - path: { type: Exact, value: "/a//b" }
        - headers: [{ name: x, value: "1" }, { name: x, value: "2" }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: b, weight: 1000001 }]
`;
    expect(messages(text)).toEqual([
      'routes.yaml:5: HTTPRoute default/foo: spec.hostnames[0]: must be a lower-case hostname, optionally with a leading "*." wildcard label',
      'routes.yaml:5: HTTPRoute default/foo: spec.hostnames[2]: must be a lower-case hostname, optionally with a leading "*." wildcard label',
      'routes.yaml:8: HTTPRoute default/foo: spec.rules[0].matches[0].path.type: must be one of Exact, PathPrefix, RegularExpression',
      'routes.yaml:9: HTTPRoute default/foo: spec.rules[0].matches[1].path.value: must not contain "//", "/./", "/../", "%2f", "%2F" or "#"',
      'routes.yaml:10: HTTPRoute default/foo: spec.rules[0].matches[2].headers[1]: header name "x" must be unique',
      'routes.yaml:11: HTTPRoute default/foo: spec.rules[0].backendRefs[0].weight: must be an integer 0-1000000',
    ]);
  });

  it('enforces the listener CEL rules', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: eg
  listeners:
    - { name: a, protocol: HTTP, port: 80 }
    - { name: a, protocol: HTTP, port: 80 }
    - { name: tcp, protocol: TCP, port: 9000, hostname: example.com }
    - name: https
      protocol: HTTP
      port: 443
      tls: { certificateRefs: [{ name: cert }] }
`;
    expect(messages(text)).toEqual([
      'routes.yaml:8: Gateway default/gw: spec.listeners[1]: listener name "a" must be unique',
      'routes.yaml:8: Gateway default/gw: spec.listeners[1]: combination of port, protocol and hostname must be unique for each listener',
      'routes.yaml:9: Gateway default/gw: spec.listeners[2].hostname: must not be specified for protocol TCP',
      'routes.yaml:13: Gateway default/gw: spec.listeners[3].tls: must not be specified for protocol HTTP',
    ]);
  });

  it('requires distinct sectionNames for repeated parents', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: foo, namespace: default }
spec:
  parentRefs: [{ name: eg }, { name: eg, namespace: default, sectionName: http }]
`;
    expect(messages(text)).toEqual([
      'routes.yaml:5: HTTPRoute default/foo: spec.parentRefs: sectionName must be specified and unique when parentRefs includes 2 or more references to the same parent',
    ]);
  });

  it('validates Backend endpoints', () => {
    const text = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: b, namespace: default }
spec:
  endpoints:
    - ip: { address: 10.0.0.256, port: 80 }
    - fqdn: { hostname: backend.example.com, port: 80 }
    - ip: { address: 10.0.0.1, port: 80 }
      unix: { path: /run/app.sock }
`;
    expect(messages(text)).toEqual([
      'routes.yaml:6: Backend default/b: spec.endpoints[0].ip.address: must be an IPv4 or IPv6 address',
      'routes.yaml:8: Backend default/b: spec.endpoints[2]: exactly one of fqdn, ip or unix must be specified',
      'routes.yaml:6: Backend default/b: spec.endpoints: fqdn addresses cannot be mixed with other address types',
    ]);
  });

  it('reports YAML syntax errors with their line and goes on with the next document', () => {
    const text = `${GATEWAY}---
kind: Gateway
metadata: { name: [oops
---
apiVersion: v1
kind: Namespace
metadata: { name: apps }
`;
    const { resources, errors } = loadResources(text, 'routes.yaml');
    expect(resources.map((r) => r.kind)).toEqual(['Gateway', 'Namespace']);
    expect(errors.length).toBeGreaterThan(0);
    // The parser notices the unclosed flow collection where the next document starts.
    expect(errors[0]?.location).toMatchObject({ file: 'routes.yaml', line: 14 });
    expect(errors[0]?.cause).toBeInstanceOf(Error);
  });

  it('ignores unknown kinds with a notice and skips empty documents', () => {
    const { resources, errors, notices } = loadResources(
      `---
apiVersion: v1
kind: Pod
metadata: { name: pod, namespace: default }
---
---
${GATEWAY}`,
      'f.yaml',
    );
    expect(errors).toEqual([]);
    expect(resources).toHaveLength(1);
    expect(notices).toEqual([{ file: 'f.yaml', line: 2, message: 'Pod default/pod (v1) ignored: kind not supported' }]);
  });

  it('rejects a second resource with the same kind and name', () => {
    expect(messages(`${GATEWAY}---\n${GATEWAY}`)).toEqual([
      'routes.yaml:12: Gateway envoy-gateway-system/eg: duplicate of the Gateway at line 1',
    ]);
  });

  it('requires apiVersion and kind', () => {
    expect(messages('metadata: { name: x }\n')).toEqual(['routes.yaml:1: apiVersion and kind are required strings']);
  });
});
