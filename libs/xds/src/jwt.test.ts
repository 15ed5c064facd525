import { describe, expect, it } from 'vitest';
import type { HTTPListener, HTTPRoute, JWTProvider } from '@eg/ir';
import { jwksClusters, jwtAuthnFilter } from './jwt.ts';

function remote(name: string, uri: string): JWTProvider {
  return {
    name,
    audiences: [],
    jwks: { type: 'Remote', uri, cacheDurationMs: 300_000 },
    claimToHeaders: [],
    recomputeRoute: false,
  };
}

function listenerWith(...providers: JWTProvider[][]): HTTPListener {
  return listenerOf(providers.map((list, i) => ({ policy: `default/p${i}`, providers: list })));
}

function listenerOf(routePolicies: readonly { policy: string; providers: readonly JWTProvider[] }[]): HTTPListener {
  const routes: HTTPRoute[] = routePolicies.map(({ policy, providers: list }, i) => ({
    name: `r${i}`,
    hostname: '*',
    pathMatch: { type: 'Prefix', value: '/' },
    headerMatches: [],
    action: { type: 'DirectResponse', statusCode: 200 },
    security: { jwt: { name: policy, allowMissing: false, providers: list } },
    metadata: { kind: 'HTTPRoute', namespace: 'default', name: `r${i}` },
  }));
  return {
    name: 'l',
    address: '0.0.0.0',
    port: 8080,
    externalPort: 8080,
    hostnames: ['*'],
    routes,
    metadata: { kind: 'Gateway', namespace: 'default', name: 'eg' },
  };
}

describe('jwksClusters', () => {
  it('names a cluster after the host and port of the URI, with the scheme default port, once per name', () => {
    const clusters = jwksClusters([
      listenerWith(
        [remote('a', 'https://auth.example.com/jwks'), remote('b', 'http://auth.example.com/jwks')],
        [remote('c', 'https://auth.example.com:443/other'), remote('d', 'http://[::1]:8080/keys')],
      ),
    ]);
    expect([...clusters.keys()]).toEqual(['auth_example_com_443', 'auth_example_com_80', '__1_8080']);
    const ipv6 = clusters.get('__1_8080') as { type: string; transportSocket?: unknown; loadAssignment: unknown };
    expect(ipv6.type).toBe('STATIC');
    expect(ipv6.transportSocket).toBeUndefined();
    expect(JSON.stringify(ipv6.loadAssignment)).toContain('"address":"::1","portValue":8080');
  });
});

describe('jwtAuthnFilter', () => {
  it('is absent without JWT routes, and requires any of several providers', () => {
    expect(jwtAuthnFilter([listenerWith()])).toBeUndefined();
    const filter = jwtAuthnFilter([
      listenerWith([remote('a', 'https://a.example.com/jwks'), remote('b', 'https://b.example.com/jwks')]),
    ]) as { typedConfig: { requirementMap: unknown } };
    expect(filter.typedConfig.requirementMap).toEqual({
      'default/p0': {
        requiresAny: { requirements: [{ providerName: 'default/p0/a' }, { providerName: 'default/p0/b' }] },
      },
    });
  });

  it('does not change when routes of a policy come and go or change order', () => {
    const a = { policy: 'default/a', providers: [remote('x', 'https://a.example.com/jwks')] };
    const b = { policy: 'default/b', providers: [remote('y', 'https://b.example.com/jwks')] };
    const filter = (...routes: (typeof a)[]) => JSON.stringify(jwtAuthnFilter([listenerOf(routes)]));
    expect(filter(a, b)).toBe(filter(b, a, a, b, b));
  });
});
