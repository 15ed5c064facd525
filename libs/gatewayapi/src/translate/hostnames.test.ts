import { describe, expect, it } from 'vitest';
import { compareHostnames, hostnameSuffix, intersectHostnames } from './hostnames.ts';

describe('intersectHostnames', () => {
  it('matches everything when neither side names a host', () => {
    expect(intersectHostnames([], undefined)).toEqual(['*']);
  });

  it('takes the side that names hosts when the other does not', () => {
    expect(intersectHostnames(['a.example.com'], undefined)).toEqual(['a.example.com']);
    expect(intersectHostnames([], '*.example.com')).toEqual(['*.example.com']);
  });

  it('keeps the more specific name of each intersecting pair', () => {
    expect(intersectHostnames(['foo.example.com', '*.bar.example.com', 'example.com'], '*.example.com')).toEqual([
      'foo.example.com',
      '*.bar.example.com',
    ]);
    expect(intersectHostnames(['*.specific.com', '*.com'], 'very.specific.com')).toEqual(['very.specific.com']);
  });

  it('does not let a wildcard match the bare domain', () => {
    expect(intersectHostnames(['wildcard.io'], '*.wildcard.io')).toEqual([]);
  });
});

describe('hostname helpers', () => {
  it('names hostnames with dots as underscores', () => {
    expect(hostnameSuffix('*.example.com')).toBe('*_example_com');
  });

  it('orders exact names before wildcards and longer names first', () => {
    expect(['*', '*.a.com', 'b.com', 'aa.com', 'a.com'].sort(compareHostnames)).toEqual([
      'aa.com',
      'a.com',
      'b.com',
      '*.a.com',
      '*',
    ]);
  });
});
