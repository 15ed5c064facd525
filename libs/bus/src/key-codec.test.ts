import { describe, expect, it } from 'vitest';
import { BusKeyError } from './errors.ts';
import { COMMIT_MARKER_KEY, decodeKey, encodeKey, isInternalKey, MAX_ENCODED_KEY_LENGTH } from './key-codec.ts';

// What the NATS KV client accepts (kv.ts validateKey).
const VALID_NATS_KEY = /^[-/=.\w]+$/;
function assertValidNatsKey(raw: string): void {
  expect(raw).toMatch(VALID_NATS_KEY);
  expect(raw.startsWith('.')).toBe(false);
  expect(raw.endsWith('.')).toBe(false);
  expect(raw.includes('..')).toBe(false);
}

describe('key codec', () => {
  it('keeps keys made of letters, digits, dashes, slashes and underscores readable', () => {
    expect(encodeKey('HTTPRoute/default/web-app')).toBe('HTTPRoute/default/web-app');
    expect(encodeKey('default/eg')).toBe('default/eg');
    expect(encodeKey('snake_case')).toBe('snake_case');
  });

  it('escapes dots so they never split NATS tokens', () => {
    expect(encodeKey('HTTPRoute/default/my.route')).toBe('HTTPRoute/default/my=2Eroute');
    for (const key of ['.', '..', '.leading', 'trailing.', 'a..b']) {
      const raw = encodeKey(key);
      assertValidNatsKey(raw);
      expect(raw).not.toContain('.');
      expect(decodeKey(raw)).toBe(key);
    }
  });

  it('round-trips arbitrary strings into valid NATS keys', () => {
    const keys = [
      '',
      '=',
      '==2E',
      'Gateway/ns/Name_With:odd~chars',
      'a b\tc\nd',
      '*',
      '>',
      'foo.*.>',
      'ünïcødé/名前/🚀',
      '%2F/%',
      'x'.repeat(500),
      '\u0000\u007f',
    ];
    for (const key of keys) {
      const raw = encodeKey(key);
      assertValidNatsKey(raw);
      expect(decodeKey(raw)).toBe(key);
    }
  });

  it('round-trips random strings', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'aZ09-_/.=:~ %*>éß中😀';
    for (let i = 0; i < 500; i++) {
      const key = Array.from({ length: random(30) }, () => [...alphabet][random([...alphabet].length)]).join('');
      const raw = encodeKey(key);
      assertValidNatsKey(raw);
      expect(decodeKey(raw)).toBe(key);
    }
  });

  it('is safe for every valid Kubernetes name', () => {
    // DNS-1123 subdomain: 253 characters of [a-z0-9.-], starting and ending alphanumeric.
    const longest = ('a'.repeat(62) + '.').repeat(4).slice(0, 252) + 'z';
    for (const name of ['a', 'my-app', 'my.app.example.com', longest, '0-0.0']) {
      const raw = encodeKey(`HTTPRoute/${'n'.repeat(63)}/${name}`);
      assertValidNatsKey(raw);
      expect(decodeKey(raw)).toBe(`HTTPRoute/${'n'.repeat(63)}/${name}`);
    }
  });

  it('is deterministic and distinguishes keys that differ only in escaped characters', () => {
    expect(encodeKey('a.b')).toBe(encodeKey('a.b'));
    const raws = new Set(['a.b', 'a=2Eb', 'a:b', 'a b', 'a_b', 'a/b', 'a-b', 'A.b'].map(encodeKey));
    expect(raws.size).toBe(8);
  });

  it('rejects ill-formed Unicode and over-long keys with BusKeyError', () => {
    expect(() => encodeKey('lone \ud800 surrogate')).toThrow(BusKeyError);
    expect(() => encodeKey('.'.repeat(MAX_ENCODED_KEY_LENGTH))).toThrow(BusKeyError);
  });

  it('rejects raw keys the encoder never writes', () => {
    for (const raw of ['a.b', 'a=2e', 'a=4', 'a=41', 'a=ZZ', 'a b', '=FF', '=C3']) {
      expect(() => decodeKey(raw)).toThrow(BusKeyError);
    }
  });

  it('keeps the commit marker apart from every logical key', () => {
    expect(isInternalKey(COMMIT_MARKER_KEY)).toBe(true);
    expect(isInternalKey(encodeKey(COMMIT_MARKER_KEY))).toBe(false);
    assertValidNatsKey(COMMIT_MARKER_KEY);
  });
});
