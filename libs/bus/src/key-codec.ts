import { BusKeyError } from './errors.ts';

// NATS KV keys allow [-/_=.a-zA-Z0-9] with '.' separating non-empty tokens. We pass [-/_a-zA-Z0-9]
// through (keeps `HTTPRoute/default/web` readable) and write every other UTF-8 byte as `=XX`, so the
// encoded key never contains a '.', and '.' can mark the bus's internal keys.
const PASS_THROUGH = /^[-/_a-zA-Z0-9]$/;
const ENCODED = /^(?:[-/_a-zA-Z0-9]|=[0-9A-F]{2})+$/;
const EMPTY_KEY = '=';
const HEX = '0123456789ABCDEF';
// In a `u` regex surrogate pairs are one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u;

/** Longer subjects risk the server's 4 KiB protocol line limit. */
export const MAX_ENCODED_KEY_LENGTH = 3000;

/** The key of the commit marker: it contains a '.', which encodeKey never writes. */
export const COMMIT_MARKER_KEY = 'eg.commit';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True for keys the bus uses for itself, which consumers never see. */
export function isInternalKey(rawKey: string): boolean {
  return rawKey.includes('.');
}

/** The NATS KV key for a logical key; deterministic and reversible by decodeKey. */
export function encodeKey(key: string): string {
  if (key === '') return EMPTY_KEY;
  if (LONE_SURROGATE.test(key)) throw new BusKeyError(`key ${JSON.stringify(key)} is not well-formed Unicode`);
  let out = '';
  for (const ch of key) {
    if (PASS_THROUGH.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of utf8.encode(ch)) out += '=' + HEX[byte >> 4] + HEX[byte & 15];
  }
  if (out.length > MAX_ENCODED_KEY_LENGTH) {
    throw new BusKeyError(`key ${JSON.stringify(key.slice(0, 80))}... encodes to ${out.length} characters`);
  }
  return out;
}

/** The logical key of a NATS KV key written by encodeKey; BusKeyError for anything else. */
export function decodeKey(rawKey: string): string {
  if (rawKey === EMPTY_KEY) return '';
  if (!ENCODED.test(rawKey)) throw new BusKeyError(`${JSON.stringify(rawKey)} is not a key this bus wrote`);
  const bytes: number[] = [];
  for (let i = 0; i < rawKey.length; i++) {
    if (rawKey[i] === '=') {
      bytes.push(parseInt(rawKey.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(rawKey.charCodeAt(i));
    }
  }
  let key: string;
  try {
    key = strictUtf8.decode(Uint8Array.from(bytes));
  } catch (err) {
    throw new BusKeyError(`${JSON.stringify(rawKey)} does not decode to UTF-8`, { cause: err });
  }
  // Only the canonical form is accepted, so two raw keys never name the same logical key.
  if (encodeKey(key) !== rawKey) throw new BusKeyError(`${JSON.stringify(rawKey)} is not in canonical form`);
  return key;
}
