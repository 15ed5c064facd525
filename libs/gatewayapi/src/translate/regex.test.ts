import { describe, expect, it } from 'vitest';
import { isValidRegex } from './regex.ts';

describe('isValidRegex', () => {
  it('accepts what RE2 accepts', () => {
    for (const p of [
      '/items/[0-9]+',
      'gold|silver',
      '^/a(/.*)?$',
      '(?P<id>[a-f]+)',
      '\\d{2,4}',
      '(?i)gold',
      '(?i:a)b',
    ]) {
      expect(isValidRegex(p), p).toBe(true);
    }
  });

  it('rejects lookaround, backreferences, \\u escapes and broken syntax', () => {
    for (const p of ['/look(?=ahead)', '(?<!x)y', '(a)\\1', '(?<n>a)\\k<n>', '\\u00e9', '[unclosed', '*start']) {
      expect(isValidRegex(p), p).toBe(false);
    }
  });
});
