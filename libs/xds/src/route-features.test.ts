import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '@eg/ir';
import { forwardFeatures, redirectAction } from './route-features.ts';

function routeWith(extra: Partial<HTTPRoute>): HTTPRoute {
  return {
    name: 'r',
    hostname: '*',
    pathMatch: { type: 'Prefix', value: '/' },
    headerMatches: [],
    action: { type: 'DirectResponse', statusCode: 200 },
    metadata: { kind: 'HTTPRoute', namespace: 'default', name: 'r' },
    ...extra,
  };
}

describe('redirectAction', () => {
  it('follows the spec port rules and leaves well-known ports out of Location', () => {
    const port = (
      redirect: Parameters<typeof redirectAction>[0],
      listenerPort: number,
      scheme: 'http' | 'https' = 'http',
    ) => redirectAction(redirect, listenerPort, scheme)['portRedirect'];
    // Neither scheme nor port: the listener's port.
    expect(port({ statusCode: 302 }, 8080)).toBe(8080);
    expect(port({ statusCode: 302 }, 80)).toBeUndefined();
    // A scheme without a port: that scheme's well-known port, which Location leaves out.
    expect(port({ scheme: 'https', statusCode: 302 }, 8080)).toBeUndefined();
    expect(port({ scheme: 'http', statusCode: 302 }, 8080)).toBeUndefined();
    // An explicit port wins, unless it is the well-known port of the scheme.
    expect(port({ scheme: 'https', port: 443, statusCode: 301 }, 80)).toBeUndefined();
    expect(port({ scheme: 'https', port: 8443, statusCode: 301 }, 80)).toBe(8443);
    expect(port({ port: 80, statusCode: 302 }, 8080)).toBeUndefined();
    expect(port({ port: 8083, statusCode: 302 }, 80)).toBe(8083);
    // On an HTTPS listener the request's scheme is https: 443 is its well-known port, 80 is not.
    expect(port({ statusCode: 302 }, 443, 'https')).toBeUndefined();
    expect(port({ statusCode: 302 }, 8443, 'https')).toBe(8443);
    expect(port({ port: 80, statusCode: 302 }, 443, 'https')).toBe(80);
  });

  it('rewrites a prefix to "/" without leaving a double slash', () => {
    expect(
      redirectAction({ path: { type: 'ReplacePrefix', prefix: '/strip/', value: '/' }, statusCode: 302 }, 80, 'http'),
    ).toEqual({ regexRewrite: { pattern: { regex: '^/strip\\/*' }, substitution: '/' }, responseCode: 'FOUND' });
  });

  it('rewrites prefixes as the spec table asks', () => {
    const rewrite = (prefix: string, value: string) =>
      forwardFeatures(routeWith({ urlRewrite: { path: { type: 'ReplacePrefix', prefix, value } } }));
    expect(rewrite('/foo', '/xyz/')).toEqual({ prefixRewrite: '/xyz' });
    expect(rewrite('/foo/', '/')).toEqual({ regexRewrite: { pattern: { regex: '^/foo\\/*' }, substitution: '/' } });
    expect(rewrite('/', '/new')).toEqual({ regexRewrite: { pattern: { regex: '^/' }, substitution: '/new/' } });
    expect(forwardFeatures(routeWith({ urlRewrite: { path: { type: 'ReplaceFullPath', value: '/one' } } }))).toEqual({
      regexRewrite: { pattern: { regex: '^/.*$' }, substitution: '/one' },
    });
  });

  it('maps timeouts to the route timeout and a per-try timeout', () => {
    expect(forwardFeatures(routeWith({ timeouts: { request: 500 } }))).toEqual({ timeout: '0.5s' });
    expect(forwardFeatures(routeWith({ timeouts: { request: 0 } }))).toEqual({ timeout: '0s' });
    expect(forwardFeatures(routeWith({ timeouts: { request: 10_000, backendRequest: 2000 } }))).toEqual({
      timeout: '10s',
      retryPolicy: { numRetries: 0, perTryTimeout: '2s' },
    });
    expect(forwardFeatures(routeWith({ timeouts: { backendRequest: 1500 } }))).toEqual({
      timeout: '1.5s',
      retryPolicy: { numRetries: 0, perTryTimeout: '1.5s' },
    });
  });
});
