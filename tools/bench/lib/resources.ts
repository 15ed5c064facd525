/** Resource YAML for benchmarks: one Gateway, one Backend, and numbered HTTPRoutes under one hostname. */

export const BENCH_HOST = 'bench.example.com';

export function gatewayYaml(listenerPort: number, backendPort: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: ${listenerPort} }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: bench, namespace: default }
spec:
  endpoints: [{ ip: { address: 127.0.0.1, port: ${backendPort} } }]
`;
}

/** An HTTPRoute `name` sending `PathPrefix path` to the bench Backend. */
export function routeYaml(name: string, path = `/${name}`): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [${BENCH_HOST}]
  rules:
    - matches: [{ path: { type: PathPrefix, value: ${path} } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: bench }]
`;
}

export function routesYaml(names: readonly string[]): string {
  return names.map((n) => routeYaml(n)).join('---\n');
}

/** Route names r-0 .. r-(n-1) in files of `perFile`, as {file name -> YAML}. */
export function routeFiles(n: number, perFile = 100): Map<string, string> {
  const files = new Map<string, string>();
  for (let start = 0; start < n; start += perFile) {
    const names = Array.from({ length: Math.min(perFile, n - start) }, (_, i) => `r-${start + i}`);
    files.set(`routes-${String(start / perFile).padStart(4, '0')}.yaml`, routesYaml(names));
  }
  return files;
}

/**
 * BackendTrafficPolicies for the translation bench: a Global limit per x-user-id on the Gateway, and on every
 * tenth route a policy of its own that overrides it (Local on even tenths, Global by client CIDR on odd ones).
 */
export function policiesYaml(routeNames: readonly string[]): string {
  const gatewayPolicy = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: gateway, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: eg }]
  rateLimit:
    type: Global
    global:
      rules:
        - clientSelectors: [{ headers: [{ name: x-user-id, type: Distinct }] }]
          limit: { requests: 100, unit: Minute }
`;
  const routePolicies = routeNames
    .filter((_, i) => i % 10 === 0)
    .map((name, i) => {
      const rateLimit =
        i % 2 === 0
          ? `    type: Local
    local:
      rules: [{ limit: { requests: 50, unit: Second } }]`
          : `    type: Global
    global:
      rules:
        - clientSelectors: [{ sourceCIDR: { type: Distinct, value: 10.0.0.0/8 } }]
          limit: { requests: 10, unit: Second }`;
      return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: ${name}, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name} }]
  rateLimit:
${rateLimit}
`;
    });
  return [gatewayPolicy, ...routePolicies].join('---\n');
}
