import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@eg/testing';
import { backendYAML, gatewayYAML, GatewayClient } from '../src/http-client.ts';
import { startScenario, type Scenario } from '../src/scenario.ts';

// HTTPRoute filters through a real Envoy: header modifiers, redirects (SCENARIOS.md 4 as shipped in
// examples/redirects), URL rewrites, mirrors, per-backendRef filters and Envoy Gateway's HTTPRouteFilter.

const HOST = 'filters.example.com';
const B = (name: string) => `{ group: gateway.envoyproxy.io, kind: Backend, name: ${name} }`;

function routes(): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: filters, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /headers } }]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{ name: X-Header-Set, value: set-overwrites-values }]
            add: [{ name: X-Header-Add, value: add-appends-values }]
            remove: [X-Header-Remove]
        - type: ResponseHeaderModifier
          responseHeaderModifier:
            set: [{ name: X-Resp-Set, value: from-gateway }]
            add: [{ name: X-Resp-Add, value: added }]
            remove: [X-Resp-Remove]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /prefix/one } }]
      filters:
        - type: URLRewrite
          urlRewrite: { hostname: rewritten.example.org, path: { type: ReplacePrefixMatch, replacePrefixMatch: /one } }
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /strip-prefix } }]
      filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /full } }]
      filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /replaced } } }]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /redirect-host } }]
      filters: [{ type: RequestRedirect, requestRedirect: { hostname: example.org } }]
    - matches: [{ path: { value: /redirect-port } }]
      filters: [{ type: RequestRedirect, requestRedirect: { port: 8083, statusCode: 302 } }]
    - matches: [{ path: { value: /redirect-scheme } }]
      filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, hostname: example.org } }]
    - matches: [{ path: { value: /mirror } }]
      filters: [{ type: RequestMirror, requestMirror: { backendRef: ${B('v2')} } }]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /mirror-half } }]
      filters: [{ type: RequestMirror, requestMirror: { backendRef: ${B('v2')}, fraction: { numerator: 1, denominator: 2 } } }]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /per-backend } }]
      backendRefs:
        - group: gateway.envoyproxy.io
          kind: Backend
          name: v1
          filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: Backend, value: v1 }] } }]
        - group: gateway.envoyproxy.io
          kind: Backend
          name: v2
          filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { set: [{ name: Backend, value: v2 }] } }]
    - matches: [{ path: { value: /direct } }]
      filters: [{ type: ExtensionRef, extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: direct } }]
    - matches: [{ path: { value: /regex-rewrite } }]
      filters: [{ type: ExtensionRef, extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: regex } }]
      backendRefs: [${B('v1')}]
    - matches: [{ path: { value: /unknown-extension } }]
      filters: [{ type: ExtensionRef, extensionRef: { group: example.io, kind: Unknown, name: x } }]
      backendRefs: [${B('v1')}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: missing-filter, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${HOST}]
  rules:
    - matches: [{ path: { value: /missing-filter } }]
      filters: [{ type: ExtensionRef, extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: nope } }]
      backendRefs: [${B('v1')}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: { name: direct, namespace: default }
spec:
  directResponse:
    statusCode: 203
    contentType: text/plain
    body: { type: Inline, inline: "answered by the gateway" }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: { name: regex, namespace: default }
spec:
  urlRewrite:
    path:
      type: ReplaceRegexMatch
      replaceRegexMatch: { pattern: "^/regex-rewrite/([^/]+)/(.*)$", substitution: "/swapped/\\\\2/\\\\1" }
`;
}

describe('scenario: HTTPRoute filters', () => {
  let scenario: Scenario;
  let gw: GatewayClient;
  let redirectsPort: number;

  beforeAll(async () => {
    scenario = await startScenario({ backends: ['v1', 'v2'] });
    gw = new GatewayClient(await freePort());
    redirectsPort = await freePort();
    const ports = scenario.backendPorts;
    await scenario.apply(
      'gateway.yaml',
      [
        gatewayYAML({ name: 'gw', namespace: 'default', port: gw.port }),
        backendYAML('v1', 'default', ports['v1']!),
        backendYAML('v2', 'default', ports['v2']!),
      ].join('---\n'),
    );
    await scenario.apply('routes.yaml', routes());
    const example = await readFile(resolve(import.meta.dirname, '../../../examples/redirects/redirects.yaml'), 'utf8');
    await scenario.apply(
      'redirects.yaml',
      example
        .replace('port: 8888', `port: ${redirectsPort}`)
        .replace('name: eg\n  namespace: default', 'name: redirects\n  namespace: default')
        .replaceAll('- name: eg\n', '- name: redirects\n'),
    );
    await gw.until('/headers', { host: HOST }, (a) => expect(a.echo?.pod).toBe('v1'));
  });

  afterAll(async () => {
    await scenario?.stop();
  });

  it('sets, adds and removes request and response headers', async () => {
    const answer = await gw.send('/headers', {
      host: HOST,
      headers: {
        'x-header-set': 'original',
        'x-header-add': 'original',
        'x-header-remove': 'gone',
        'x-echo-set-header': 'X-Resp-Set:from-backend,X-Resp-Remove:gone,X-Resp-Add:from-backend',
      },
    });
    expect(answer.status).toBe(200);
    const h = answer.echo!.headers;
    expect(h['X-Header-Set']).toEqual(['set-overwrites-values']);
    expect(h['X-Header-Add']?.join(',')).toBe('original,add-appends-values');
    expect(h['X-Header-Remove']).toBeUndefined();
    expect(answer.headers['x-resp-set']).toBe('from-gateway');
    expect(answer.headers['x-resp-add']).toBe('from-backend, added');
    expect(answer.headers['x-resp-remove']).toBeUndefined();
  });

  it('rewrites prefixes, full paths and the host, keeping the query', async () => {
    const prefix = await gw.send('/prefix/one/two?x=1', { host: HOST });
    expect([prefix.echo?.path, prefix.echo?.host]).toEqual(['/one/two?x=1', 'rewritten.example.org']);
    expect((await gw.send('/strip-prefix/three', { host: HOST })).echo?.path).toBe('/three');
    expect((await gw.send('/strip-prefix', { host: HOST })).echo?.path).toBe('/');
    expect((await gw.send('/strip-prefix/', { host: HOST })).echo?.path).toBe('/');
    expect((await gw.send('/full/one/two', { host: HOST })).echo?.path).toBe('/replaced');
    const regex = await gw.send('/regex-rewrite/first/second', { host: HOST });
    expect(regex.echo?.path).toBe('/swapped/second/first');
  });

  it('redirects with hostname, port and scheme, 302 by default', async () => {
    // Neither scheme nor port: the listener's port, whatever port the client's Host header carried.
    const host = await gw.send('/redirect-host', { host: `${HOST}:1234` });
    expect([host.status, host.headers['location']]).toEqual([302, `http://example.org:${gw.port}/redirect-host`]);
    const port = await gw.send('/redirect-port', { host: HOST });
    expect([port.status, port.headers['location']]).toEqual([302, `http://${HOST}:8083/redirect-port`]);
    const scheme = await gw.send('/redirect-scheme', { host: HOST });
    expect([scheme.status, scheme.headers['location']]).toEqual([302, 'https://example.org/redirect-scheme']);
  });

  it('serves examples/redirects exactly as SCENARIOS.md 4 describes', async () => {
    const redirects = new GatewayClient(redirectsPort);
    const api = await redirects.until('/api/v1/pods', { host: 'path.redirect.example' }, (a) =>
      expect(a.status).toBe(301),
    );
    // The example listens on 8888, moved to a free port here; Location keeps the listener port.
    expect(api.headers['location']).toBe(`http://path.redirect.example:${redirectsPort}/apis/v1/pods`);
    const foo = await redirects.send('/foo/cayenne', { host: 'path.redirect.example' });
    expect([foo.status, foo.headers['location']]).toEqual([301, `http://path.redirect.example:${redirectsPort}/bar`]);
    const https = await redirects.send('/foo', { host: `test.example.com:${redirectsPort}` });
    expect([https.status, https.headers['location']]).toEqual([301, 'https://test.example.com/foo']);
  });

  it('mirrors requests to another backend while the primary answers', async () => {
    const path = `/mirror?id=${Date.now()}`;
    const answer = await gw.send(path, { host: HOST });
    expect(answer.echo?.pod).toBe('v1');
    await eventually(async () => {
      const seen = (await (
        await fetch(`http://127.0.0.1:${scenario.backendPorts['v2']}/__requests`)
      ).json()) as string[];
      expect(seen).toContain(path);
    });
  });

  it('mirrors the configured fraction of requests', async () => {
    const mirrored = async () => {
      const seen = (await (
        await fetch(`http://127.0.0.1:${scenario.backendPorts['v2']}/__requests`)
      ).json()) as string[];
      return seen.filter((p) => p.startsWith('/mirror-half')).length;
    };
    for (let i = 0; i < 200; i++) expect((await gw.send(`/mirror-half?i=${i}`, { host: HOST })).echo?.pod).toBe('v1');
    // Half of 200 on average; the bounds are more than five standard deviations wide.
    await eventually(async () => expect(await mirrored()).toBeGreaterThan(60));
    expect(await mirrored()).toBeLessThan(140);
  });

  it('applies backendRef filters only for the backend that answers', async () => {
    const pods = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const answer = await gw.send('/per-backend', { host: HOST });
      expect(answer.echo?.headers['Backend']).toEqual([answer.echo?.pod]);
      pods.add(answer.echo!.pod);
    }
    expect([...pods].sort()).toEqual(['v1', 'v2']);
  });

  it('answers from an HTTPRouteFilter directResponse', async () => {
    const answer = await gw.send('/direct', { host: HOST });
    expect([answer.status, answer.body, answer.headers['content-type']]).toEqual([
      203,
      'answered by the gateway',
      'text/plain',
    ]);
  });

  it('answers 500 for an unknown ExtensionRef or a missing HTTPRouteFilter, with ResolvedRefs saying why', async () => {
    expect((await gw.send('/unknown-extension', { host: HOST })).status).toBe(500);
    expect((await gw.send('/missing-filter', { host: HOST })).status).toBe(500);
    const resolved = async (name: string) => {
      const status = await scenario.status<RouteStatus>('HTTPRoute', 'default', name);
      return status.parents[0]?.conditions.find((c) => c.type === 'ResolvedRefs');
    };
    expect(await resolved('filters')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect((await resolved('filters'))?.message).toContain('Reference default/x not found for filter type: Unknown');
    expect(await resolved('missing-filter')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect((await resolved('missing-filter'))?.message).toContain('Unable to translate HTTPRouteFilter: default/nope');
  });
});

interface RouteStatus {
  parents: { conditions: { type: string; status: string; reason: string; message: string }[] }[];
}
