import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import type { ResourceStatus, XdsIR } from '@eg/ir';
import { eventually, freePort, httpRequest, type HttpAnswer } from '@eg/testing';
import { startStack, type Stack } from '../src/stack.ts';

// The walking skeleton end to end: YAML files -> provider -> translator -> xds-server -> a real Envoy
// started by infra-manager, each service its own process, all state over a real nats-server.

interface EchoBody {
  readonly pod: string;
  readonly path: string;
  readonly host: string;
}

const gatewayYaml = (port: number): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  listeners:
    - { name: http, protocol: HTTP, port: ${port} }
`;

const backendsYaml = (v1: number, v2: number): string => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: backend-v1, namespace: default }
spec: { endpoints: [ { ip: { address: 127.0.0.1, port: ${v1} } } ] }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: backend-v2, namespace: default }
spec: { endpoints: [ { ip: { address: 127.0.0.1, port: ${v2} } } ] }
`;

const backendRef = (name: string, weight?: number): string =>
  `{ group: gateway.envoyproxy.io, kind: Backend, name: ${name}${weight === undefined ? '' : `, weight: ${weight}`} }`;

const hostPathRoute = (extraRule = ''): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: host-path, namespace: default }
spec:
  parentRefs: [ { name: eg } ]
  hostnames: [ www.example.com ]
  rules:
    - matches: [ { path: { type: PathPrefix, value: /v1 } } ]
      backendRefs: [ ${backendRef('backend-v1')} ]
    - matches: [ { path: { type: Exact, value: /v2 } } ]
      backendRefs: [ ${backendRef('backend-v2')} ]
${extraRule}`;

const weightedRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: weighted, namespace: default }
spec:
  parentRefs: [ { name: eg } ]
  hostnames: [ split.example.com ]
  rules:
    - backendRefs: [ ${backendRef('backend-v1', 75)}, ${backendRef('backend-v2', 25)} ]
`;

const brokenRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: broken, namespace: default }
spec:
  parentRefs: [ { name: eg } ]
  hostnames: [ broken.example.com ]
  rules:
    - backendRefs: [ ${backendRef('does-not-exist')} ]
`;

describe('standalone stack end to end', () => {
  let dir: string;
  let stack: Stack;
  let bus: Bus;
  let gatewayPort: number;
  const serviceLogs: string[] = [];

  const get = (host: string, path: string): Promise<HttpAnswer> =>
    httpRequest(`http://127.0.0.1:${gatewayPort}${path}`, { host });
  const backendOf = (answer: HttpAnswer): string => (JSON.parse(answer.body) as EchoBody).pod;
  const servedBy = async (host: string, path: string, backend: string): Promise<void> => {
    const answer = await get(host, path);
    expect(answer.status).toBe(200);
    expect(backendOf(answer)).toBe(backend);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eg-e2e-'));
    const [v1, v2] = [await freePort(), await freePort()];
    gatewayPort = await freePort();
    await writeFile(join(dir, 'gateway.yaml'), gatewayYaml(gatewayPort));
    await writeFile(join(dir, 'backends.yaml'), backendsYaml(v1, v2));
    await writeFile(join(dir, 'routes.yaml'), hostPathRoute());
    await writeFile(join(dir, 'weighted.yaml'), weightedRoute);
    stack = await startStack({
      resourcesDir: dir,
      echoBackends: [
        { name: 'backend-v1', port: v1 },
        { name: 'backend-v2', port: v2 },
      ],
      output: (name, line) => serviceLogs.push(`[${name}] ${line}`),
    });
    bus = await connectBus({ servers: stack.natsUrl, name: 'e2e-test' });
    // Envoy starts after the stack is ready; wait until it serves the first route.
    await eventually(() => servedBy('www.example.com', '/v1', 'backend-v1'), { timeoutMs: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await bus?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('routes by host and path', async () => {
    await servedBy('www.example.com', '/v1/anything', 'backend-v1');
    await servedBy('www.example.com', '/v2', 'backend-v2');
    expect((await get('www.example.com', '/v2/deeper')).status).toBe(404); // Exact does not match deeper
    expect((await get('unknown.example.com', '/v1')).status).toBe(404);
    const echoed = JSON.parse((await get('www.example.com', '/v1/x?q=1')).body) as EchoBody;
    expect(echoed.path).toBe('/v1/x?q=1');
    expect(echoed.host).toBe('www.example.com');
  });

  it('splits traffic by backendRef weight', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const backend = backendOf(await get('split.example.com', '/'));
      counts.set(backend, (counts.get(backend) ?? 0) + 1);
    }
    // 75/25 over 200 requests: 150 expected, ±30 is five standard deviations.
    expect(counts.get('backend-v1') ?? 0).toBeGreaterThan(120);
    expect(counts.get('backend-v1') ?? 0).toBeLessThan(180);
    expect((counts.get('backend-v1') ?? 0) + (counts.get('backend-v2') ?? 0)).toBe(200);
  });

  it('serves a new path within a second of the YAML edit', async () => {
    expect((await get('www.example.com', '/new')).status).toBe(404);
    const newRule = `    - matches: [ { path: { type: PathPrefix, value: /new } } ]\n      backendRefs: [ ${backendRef('backend-v2')} ]\n`;
    await writeFile(join(dir, 'routes.yaml'), hostPathRoute(newRule));
    const { elapsedMs } = await eventually(() => servedBy('www.example.com', '/new', 'backend-v2'), {
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('answers 404 once a route is deleted', async () => {
    expect((await get('split.example.com', '/')).status).toBe(200);
    await unlink(join(dir, 'weighted.yaml'));
    await eventually(async () => expect((await get('split.example.com', '/')).status).toBe(404), {
      timeoutMs: 5000,
    });
  });

  it('reports BackendNotFound for a route to a missing Backend while other routes keep serving', async () => {
    await writeFile(join(dir, 'broken.yaml'), brokenRoute);
    const statuses: WatchableMap<ResourceStatus> = await bus.map('status');
    const { value: status } = await eventually(
      async () => {
        const entry = await statuses.get('HTTPRoute/default/broken');
        expect(entry).toBeDefined();
        return entry!.value.status as { parents: { conditions: { type: string; status: string; reason: string }[] }[] };
      },
      { timeoutMs: 5000 },
    );
    const resolved = status.parents[0]!.conditions.find((c) => c.type === 'ResolvedRefs');
    expect(resolved).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    // Envoy Gateway answers a rule whose backends are all invalid with 500.
    await eventually(async () => expect((await get('broken.example.com', '/')).status).toBe(500), {
      timeoutMs: 5000,
    });
    await servedBy('www.example.com', '/v1', 'backend-v1');
    await servedBy('www.example.com', '/v2', 'backend-v2');
  });

  it('changes nothing Envoy serves when the translator is killed and started again', async () => {
    const xds: WatchableMap<XdsIR> = await bus.map('xds-ir');
    const before = await xds.get('default/eg');
    expect(before).toBeDefined();
    await stack.services.translator.kill();
    await servedBy('www.example.com', '/v1', 'backend-v1');
    await stack.services.translator.start();
    // The restarted translator has re-read every resource and republished; equal output writes nothing.
    const after = await xds.get('default/eg');
    expect(after?.revision).toBe(before!.revision);
    await servedBy('www.example.com', '/v1', 'backend-v1');
    await servedBy('www.example.com', '/new', 'backend-v2');
    // And it is in charge again: a later edit still reaches Envoy.
    await writeFile(join(dir, 'routes.yaml'), hostPathRoute());
    await eventually(async () => expect((await get('www.example.com', '/new')).status).toBe(404), {
      timeoutMs: 5000,
    });
  });
});
