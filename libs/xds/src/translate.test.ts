import { describe, expect, it } from 'vitest';
import type { HTTPRoute, XdsIR } from '@eg/ir';
import { forward, ir, listener, route, setting } from '../test/ir-builders.ts';
import { toJSON } from './to-json.ts';
import { translateXds } from './translate.ts';
import { TYPE_URLS } from './resources.ts';

const sample: XdsIR = ir(
  listener('default/eg/b', 8080, [
    route('r/b', '/b', forward('dest/b', [setting('dest/b/backend/0', 1, 3001)])),
    route('r/a', '/', forward('dest/a', [setting('dest/a/backend/0', 1, 3000)])),
  ]),
  listener('default/eg/a', 9090, []),
);

type Json = Record<string, unknown>;

/** The resources of one listener `default/eg/http` on port 8080 with `routes`. */
function translateRoutes(...routes: Parameters<typeof listener>[2]): ReturnType<typeof translateXds> {
  return translateXds(ir(listener('default/eg/http', 8080, routes)));
}

/** The routes of the first virtual host of the route configuration `name` (default: the only one). */
function routesOf(resources: ReturnType<typeof translateXds>, name = 'default/eg/http'): Json[] {
  const config = (toJSON(resources).routes as Json[]).find((c) => c['name'] === name);
  const [host] = (config?.['virtualHosts'] ?? []) as Json[];
  return (host?.['routes'] ?? []) as Json[];
}

describe('translateXds', () => {
  it('produces byte-identical resources and versions for the same IR', () => {
    const first = translateXds(sample);
    const second = translateXds(JSON.parse(JSON.stringify(sample)) as XdsIR);
    expect(second).toEqual(first);
    for (const kind of ['listeners', 'routes', 'clusters', 'endpoints'] as const) {
      first[kind].forEach((r, i) => expect(Buffer.compare(r.value, second[kind][i]!.value)).toBe(0));
    }
  });

  it('changes the version only of resources whose config changed', () => {
    const before = translateXds(sample);
    const moved = ir(
      listener('default/eg/b', 8080, [
        route('r/b', '/b', forward('dest/b', [setting('dest/b/backend/0', 1, 4001)])),
        route('r/a', '/', forward('dest/a', [setting('dest/a/backend/0', 1, 3000)])),
      ]),
      listener('default/eg/a', 9090, []),
    );
    const after = translateXds(moved);
    const changed = (kind: 'listeners' | 'routes' | 'clusters' | 'endpoints'): string[] =>
      after[kind].filter((r, i) => r.version !== before[kind][i]!.version).map((r) => r.name);
    expect(changed('endpoints')).toEqual(['dest/b']);
    expect([...changed('listeners'), ...changed('routes'), ...changed('clusters')]).toEqual([]);
  });

  it('lists every kind of resource in name order with its type URL', () => {
    const resources = translateXds(sample);
    expect(resources.listeners.map((r) => r.name)).toEqual(['default/eg/a', 'default/eg/b']);
    expect(resources.clusters.map((r) => r.name)).toEqual(['dest/a', 'dest/b']);
    expect(resources.endpoints.every((r) => r.typeUrl === TYPE_URLS.endpoint)).toBe(true);
    expect(resources.secrets).toEqual([]);
  });

  it('keeps the IR order of routes', () => {
    expect(routesOf(translateXds(sample), 'default/eg/b').map((r) => r['name'])).toEqual(['r/b', 'r/a']);
  });

  it('serves listeners sharing a port from one Envoy listener named after the first', () => {
    const shared = translateXds(
      ir(
        listener('default/eg/one', 8080, [
          route('r/1', '/', forward('d1', [setting('d1/backend/0', 1, 1)]), 'one.example'),
        ]),
        listener('default/eg/two', 8080, [
          route('r/2', '/', forward('d2', [setting('d2/backend/0', 1, 2)]), 'two.example'),
        ]),
      ),
    );
    expect(shared.listeners.map((r) => r.name)).toEqual(['default/eg/one']);
    const [config] = toJSON(shared).routes as Json[];
    expect((config?.['virtualHosts'] as Json[]).map((h) => h['name'])).toEqual([
      'default/eg/one/one_example',
      'default/eg/two/two_example',
    ]);
  });

  it('gives each backendRef of a split its own cluster and weighs them per request', () => {
    const split = translateRoutes(
      route('r', '/', forward('dest', [setting('dest/backend/0', 3, 3000), setting('dest/backend/1', 1, 3001)])),
    );
    expect(split.clusters.map((c) => c.name)).toEqual(['dest/backend/0', 'dest/backend/1']);
    expect(routesOf(split)[0]?.['route']).toMatchObject({
      weightedClusters: {
        clusters: [
          { name: 'dest/backend/0', weight: 3 },
          { name: 'dest/backend/1', weight: 1 },
        ],
      },
    });
  });

  it('answers the share of an unresolved backendRef with 500 and builds no cluster for it', () => {
    const broken = translateRoutes(
      route(
        'r',
        '/',
        forward('dest', [
          setting('dest/backend/0', 1, 3000),
          setting('dest/backend/1', 1, 0, { endpoints: [], invalid: true }),
        ]),
      ),
    );
    expect(broken.clusters.map((c) => c.name)).toEqual(['dest/backend/0']);
    expect(routesOf(broken)[0]?.['route']).toMatchObject({ clusterNotFoundResponseCode: 'INTERNAL_SERVER_ERROR' });
  });

  it('matches path prefixes by whole segments, as Gateway API does', () => {
    const prefixes = translateRoutes(
      route('slash', '/', { type: 'DirectResponse', statusCode: 404 }),
      route('api', '/api/', { type: 'DirectResponse', statusCode: 404 }),
    );
    expect(routesOf(prefixes).map((r) => r['match'])).toEqual([{ prefix: '/' }, { pathSeparatedPrefix: '/api' }]);
  });

  it('resolves FQDN backends with DNS and sends no endpoint assignment for them', () => {
    const fqdn = { addressType: 'FQDN', endpoints: [{ host: 'example.com', port: 80 }] } as const;
    const dns = translateRoutes(route('r', '/', forward('dest', [setting('dest/backend/0', 1, 80, fqdn)])));
    expect(toJSON(dns).clusters[0]).toMatchObject({ name: 'dest', type: 'STRICT_DNS' });
    expect(dns.endpoints).toEqual([]);
  });

  it('balances the ratelimit cluster over every address given and passes failure_mode_deny on', () => {
    const limited: HTTPRoute = {
      ...route('r', '/', forward('dest', [setting('dest/backend/0', 1, 3000)])),
      rateLimit: {
        global: {
          rules: [{ name: 'default/p/rule/0', headerMatches: [], limit: { requests: 1, unit: 'Hour' }, shared: false }],
        },
      },
    };
    const resources = translateXds(ir(listener('default/eg/http', 8080, [limited])), {
      rateLimitService: {
        addresses: [
          { host: '127.0.0.1', port: 7001 },
          { host: '127.0.0.1', port: 7002 },
        ],
        failClosed: true,
      },
    });
    const json = toJSON(resources);
    const cluster = (json.clusters as Json[]).find((c) => c['name'] === 'ratelimit_cluster');
    expect(cluster).toMatchObject({
      loadAssignment: {
        endpoints: [
          {
            lbEndpoints: [7001, 7002].map((portValue) => ({
              endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue } } },
            })),
          },
        ],
      },
    });
    expect(JSON.stringify(json.listeners)).toContain('"failureModeDeny":true');
    expect(JSON.stringify(json.listeners)).toContain('"enableXRatelimitHeaders":"DRAFT_VERSION_03"');
  });
});
