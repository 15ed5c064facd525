import { describe, expect, it } from 'vitest';
import { parseCIDR } from './cidr.ts';

describe('parseCIDR', () => {
  it('clears the host bits, as Envoy writes masked client addresses', () => {
    expect(parseCIDR('10.1.2.3/8')).toEqual({ cidr: '10.0.0.0/8', maskLen: 8, isIPv6: false });
    expect(parseCIDR('192.168.7.9/32')).toEqual({ cidr: '192.168.7.9/32', maskLen: 32, isIPv6: false });
    expect(parseCIDR('0.0.0.0/0')).toEqual({ cidr: '0.0.0.0/0', maskLen: 0, isIPv6: false });
  });

  it('writes IPv6 networks in RFC 5952 form', () => {
    expect(parseCIDR('2001:DB8:0:0:1::1/64')).toEqual({ cidr: '2001:db8::/64', maskLen: 64, isIPv6: true });
    expect(parseCIDR('::1/128')).toEqual({ cidr: '::1/128', maskLen: 128, isIPv6: true });
    expect(parseCIDR('fe80:1:0:0:0:0:0:2/128')?.cidr).toBe('fe80:1::2/128');
  });

  it('refuses addresses without a prefix, bad prefixes and non-addresses', () => {
    for (const bad of ['10.0.0.1', '10.0.0.0/33', '::/129', 'example.com/8', '10.0.0.0/-1', '::ffff:1.2.3.4/96']) {
      expect(parseCIDR(bad)).toBeUndefined();
    }
  });
});
