import type { EnvoyProxy } from '../resources.ts';
import type { Fields, Problems } from './decode.ts';
import { objectMeta } from './metadata.ts';

/** An EnvoyProxy; its spec is not read yet (see EnvoyProxy in resources.ts). */
export function decodeEnvoyProxy(doc: Fields, problems: Problems): EnvoyProxy {
  return { kind: 'EnvoyProxy', metadata: objectMeta(doc['metadata'], ['metadata'], problems) };
}
