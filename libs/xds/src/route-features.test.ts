import { describe, expect, it } from 'vitest';
import { redirectAction } from './route-features.ts';

describe('redirectAction', () => {
  it('follows the spec port rules and leaves well-known ports out of Location', () => {
    const port = (redirect: Parameters<typeof redirectAction>[0], listenerPort: number) =>
      redirectAction(redirect, listenerPort)['portRedirect'];
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
  });

  it('rewrites a prefix to "/" without leaving a double slash', () => {
    expect(
      redirectAction({ path: { type: 'ReplacePrefix', prefix: '/strip/', value: '/' }, statusCode: 302 }, 80),
    ).toEqual({ regexRewrite: { pattern: { regex: '^/strip\\/*' }, substitution: '/' }, responseCode: 'FOUND' });
  });
});
