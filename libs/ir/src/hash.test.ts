import { describe, expect, it } from 'vitest';
import { canonicalJSON, contentHash } from './hash.ts';
import { resourceKey } from './keys.ts';

describe('canonicalJSON', () => {
  it('serialises objects with the same content to the same text whatever their key order', () => {
    expect(canonicalJSON({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(
      canonicalJSON({ a: { c: null, d: [2, { x: 0, y: 1 }] }, b: 1 }),
    );
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJSON([1, 2])).not.toBe(canonicalJSON([2, 1]));
  });
});

describe('contentHash', () => {
  it('is stable for equal content and differs for different content', () => {
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('resourceKey', () => {
  it('names namespaced and cluster-scoped objects', () => {
    expect(resourceKey('HTTPRoute', 'default', 'backend')).toBe('HTTPRoute/default/backend');
    expect(resourceKey('GatewayClass', undefined, 'eg')).toBe('GatewayClass/eg');
  });
});
