import type { Secret } from '../resources.ts';
import { defaulted, string, stringMap, type Fields, type Problems } from './decode.ts';
import { objectMeta } from './metadata.ts';

/** Standard base64, whole 4-character groups; line breaks are allowed, as Kubernetes decodes them. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A Secret; `data` values must be base64, `stringData` values are plain text and win, as the API server merges them. */
export function decodeSecret(doc: Fields, problems: Problems): Secret {
  const data = defaulted(doc, 'data', stringMap, {}, [], problems);
  for (const [key, value] of Object.entries(data)) {
    if (!BASE64.test(value.replace(/\s+/g, ''))) problems.add(['data', key], 'must be base64');
  }
  const plain = defaulted(doc, 'stringData', stringMap, {}, [], problems);
  const encoded = Object.fromEntries(
    Object.entries(plain).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
  );
  return {
    kind: 'Secret',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    type: defaulted(doc, 'type', string({ min: 1 }), 'Opaque', [], problems),
    data: { ...data, ...encoded },
  };
}
