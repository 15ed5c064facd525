import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressType, DestinationSetting, HTTPRoute, StringMatch, XdsIR } from '@eg/ir';
import {
  eventually,
  freePort,
  httpRequest,
  listenOnFreePort,
  startEnvoy,
  type EnvoyFixture,
  type HttpAnswer,
} from '@eg/testing';
import { renderBootstrap, translateXds, TYPE_URLS, type XdsResources } from '@eg/xds';
import { startXdsServer, type XdsServer } from '../src/ads-server.ts';

const KEY = 'default/eg';
const LISTENER = 'default/eg/http';

interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
}

/** A tiny backend that answers `<name> <path>`. */
async function startBackend(name: string): Promise<Backend> {
  const server = createServer((req, res) => res.end(`${name} ${req.url}`));
  return { name, port: await listenOnFreePort(server), server };
}

/** A backendRef: the backend, its weight, and whether Envoy reaches it by IP or by name (`localhost`). */
type BackendRef = readonly [Backend, number, AddressType?];

function setting(
  [backend, weight, addressType = 'IP']: BackendRef,
  k: number,
  destination: string,
): DestinationSetting {
  return {
    name: `${destination}/backend/${k}`,
    weight,
    addressType,
    endpoints: [{ host: addressType === 'IP' ? '127.0.0.1' : 'localhost', port: backend.port }],
  };
}

/** A route of rule `rule` to weighted backends. */
function route(rule: number, pathMatch: StringMatch, backends: readonly BackendRef[]): HTTPRoute {
  const destination = `httproute/default/r/rule/${rule}`;
  return {
    name: `${destination}/match/0/*`,
    hostname: '*',
    pathMatch,
    headerMatches: [],
    action: {
      type: 'Forward',
      destination: { name: destination, settings: backends.map((ref, k) => setting(ref, k, destination)) },
    },
    metadata: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
  };
}

/** When Envoy last applied each dynamic cluster, listener and route configuration, from its config dump. */
function lastUpdated(dump: unknown): Record<string, string> {
  const applied: Record<string, string> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const entry = value as Record<string, unknown>;
    const resource = entry['cluster'] ?? entry['listener'] ?? entry['route_config'];
    const name = (resource as { name?: unknown } | undefined)?.name;
    if (typeof entry['last_updated'] === 'string' && typeof name === 'string') applied[name] = entry['last_updated'];
    Object.values(entry).forEach(visit);
  };
  visit(dump);
  return applied;
}

function versions(
  resources: XdsResources,
  kind: 'listeners' | 'routes' | 'clusters' | 'endpoints',
): Record<string, string> {
  return Object.fromEntries(resources[kind].map((r) => [r.name, r.version]));
}

/**
 * The same behaviours over Delta (Envoy Gateway's default) and state-of-the-world ADS, each proven by HTTP
 * traffic through a real Envoy.
 */
export function adsSuite(apiType: 'DELTA_GRPC' | 'GRPC'): void {
  describe(`${apiType} ADS with a real Envoy`, () => {
    let server: XdsServer;
    let envoy: EnvoyFixture;
    let a: Backend;
    let b: Backend;
    let listenPort: number;
    let readinessPort: number;

    const ir = (...routes: HTTPRoute[]): XdsIR => ({
      http: [
        {
          name: LISTENER,
          address: '0.0.0.0',
          port: listenPort,
          externalPort: listenPort,
          hostnames: ['*'],
          routes,
          metadata: { kind: 'Gateway', namespace: 'default', name: 'eg', sectionName: 'http' },
        },
      ],
    });
    const serve = (xds: XdsIR): XdsResources => {
      const resources = translateXds(xds);
      server.cache.setSnapshot(KEY, resources);
      return resources;
    };
    const get = (path: string): Promise<HttpAnswer> => httpRequest(`http://127.0.0.1:${listenPort}${path}`);
    /** Waits until `path` answers `status` with `body`; Envoy must follow a change within a second. */
    const expectAnswer = (path: string, status: number, body?: string, timeoutMs = 1000) =>
      eventually(
        async () => {
          const answer = await get(path);
          expect(answer.status).toBe(status);
          if (body !== undefined) expect(answer.body).toBe(body);
        },
        { timeoutMs },
      );
    const typeStatus = (typeUrl: string) => server.status.nodes(KEY)[0]?.types[typeUrl];

    beforeAll(async () => {
      [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
      [listenPort, readinessPort] = await Promise.all([freePort(), freePort()]);
      server = await startXdsServer({ host: '127.0.0.1', port: 0 });
      serve(ir(route(0, { type: 'Prefix', value: '/' }, [[a, 1]])));
      envoy = await startEnvoy({
        bootstrap: renderBootstrap({
          nodeCluster: KEY,
          nodeId: `envoy-${apiType}`,
          xdsHost: '127.0.0.1',
          xdsPort: server.port,
          adminAddress: '127.0.0.1',
          adminPort: 0,
          readinessPort,
          apiType,
        }),
      });
    });

    afterAll(async () => {
      await envoy?.stop();
      await server?.close();
      for (const backend of [a, b]) backend?.server.close();
    });

    it('routes requests to the backend and reports ready', async () => {
      await expectAnswer('/hello', 200, 'a /hello', 10_000);
      const ready = await httpRequest(`http://127.0.0.1:${readinessPort}/ready`);
      expect(ready.status).toBe(200);
    });

    it('records the versions Envoy acknowledged', async () => {
      const resources = serve(ir(route(0, { type: 'Prefix', value: '/' }, [[a, 1]])));
      await eventually(async () => {
        expect(server.status.nodes(KEY)[0]?.protocol).toBe(apiType === 'GRPC' ? 'sotw' : 'delta');
        for (const [typeUrl, kind] of [
          [TYPE_URLS.listener, 'listeners'],
          [TYPE_URLS.route, 'routes'],
          [TYPE_URLS.cluster, 'clusters'],
          [TYPE_URLS.endpoint, 'endpoints'],
        ] as const) {
          expect(typeStatus(typeUrl)).toEqual({ accepted: versions(resources, kind) });
        }
      });
    });

    it('follows a new route path within a second', async () => {
      serve(ir(route(0, { type: 'Exact', value: '/new' }, [[b, 1]])));
      await expectAnswer('/new', 200, 'b /new');
      await expectAnswer('/hello', 404);
    });

    it('splits traffic between two backends by weight', async () => {
      serve(
        ir(
          route(0, { type: 'Prefix', value: '/' }, [
            [a, 3],
            [b, 1],
          ]),
        ),
      );
      await eventually(async () => expect((await get('/split')).body).toBe('a /split'), { timeoutMs: 1000 });
      const counts = { a: 0, b: 0 };
      for (let i = 0; i < 200; i++) counts[(await get('/split')).body.startsWith('a') ? 'a' : 'b']++;
      // 3:1 of 200 is 150:50; the bounds sit five standard deviations out.
      expect(counts.a).toBeGreaterThan(120);
      expect(counts.a).toBeLessThan(180);
    });

    it('routes to a backend named by DNS', async () => {
      const resources = serve(ir(route(0, { type: 'Prefix', value: '/' }, [[a, 1, 'FQDN']])));
      await expectAnswer('/dns', 200, 'a /dns');
      await eventually(async () =>
        expect(typeStatus(TYPE_URLS.cluster)?.accepted).toEqual(versions(resources, 'clusters')),
      );
    });

    it('answers 404 once the route is removed', async () => {
      serve(ir());
      await expectAnswer('/', 404);
      await eventually(async () => expect(typeStatus(TYPE_URLS.cluster)).toEqual({ accepted: {} }));
    });

    it.runIf(apiType === 'DELTA_GRPC')(
      'sends an Envoy that reconnects to another replica nothing it holds',
      async () => {
        const xds = ir(route(0, { type: 'Prefix', value: '/' }, [[a, 1]]));
        const resources = serve(xds);
        await eventually(async () =>
          expect(typeStatus(TYPE_URLS.route)?.accepted).toEqual(versions(resources, 'routes')),
        );
        const before = lastUpdated(await envoy.configDump());
        expect(Object.keys(before)).toEqual(expect.arrayContaining([LISTENER, 'httproute/default/r/rule/0']));
        const port = server.port;
        await server.close();
        // Another replica translates the same IR on its own.
        server = await startXdsServer({ host: '127.0.0.1', port });
        serve(xds);
        await eventually(
          async () => {
            for (const [typeUrl, kind] of [
              [TYPE_URLS.cluster, 'clusters'],
              [TYPE_URLS.listener, 'listeners'],
            ] as const) {
              expect(typeStatus(typeUrl)).toEqual({ accepted: versions(resources, kind) });
            }
          },
          { timeoutMs: 15_000 },
        );
        await expectAnswer('/again', 200, 'a /again');
        // Nothing was re-applied: every resource keeps its last_updated time.
        expect(lastUpdated(await envoy.configDump())).toEqual(before);
      },
    );

    it('keeps serving the previous config when Envoy rejects a resource', async () => {
      const good = serve(ir(route(0, { type: 'Prefix', value: '/' }, [[a, 1]])));
      await expectAnswer('/kept', 200, 'a /kept');
      await eventually(async () => expect(typeStatus(TYPE_URLS.route)?.accepted).toEqual(versions(good, 'routes')));
      // RE2 has no lookahead: Envoy refuses the route configuration.
      const bad = serve(
        ir(
          route(1, { type: 'RegularExpression', value: '/(?=x).*' }, [[b, 1]]),
          route(0, { type: 'Prefix', value: '/' }, [[a, 1]]),
        ),
      );
      await eventually(async () => {
        const status = typeStatus(TYPE_URLS.route);
        expect(status?.rejected?.versions).toEqual(versions(bad, 'routes'));
        expect(status?.rejected?.message).toMatch(/regex|RE2|lookahead|\?=/i);
        expect(status?.accepted).toEqual(versions(good, 'routes'));
      });
      const answer = await get('/xx');
      expect(answer.body).toBe('a /xx');
      // Fixing the IR is accepted again.
      const fixed = serve(
        ir(route(1, { type: 'Prefix', value: '/fixed' }, [[b, 1]]), route(0, { type: 'Prefix', value: '/' }, [[a, 1]])),
      );
      await expectAnswer('/fixed', 200, 'b /fixed');
      await eventually(async () =>
        expect(typeStatus(TYPE_URLS.route)).toEqual({ accepted: versions(fixed, 'routes') }),
      );
    });
  });
}
