import type { ConfigMap } from '../resources.ts';
import { defaulted, stringMap, type Fields, type Problems } from './decode.ts';
import { objectMeta } from './metadata.ts';

/** A ConfigMap's text `data` (binaryData is not read: CA certificates are PEM text). */
export function decodeConfigMap(doc: Fields, problems: Problems): ConfigMap {
  return {
    kind: 'ConfigMap',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    data: defaulted(doc, 'data', stringMap, {}, [], problems),
  };
}
