import { DEFAULT_NAMESPACE } from '@eg/ir';
import type { ClusterObjectMeta, ObjectMeta } from '../resources.ts';
import {
  defaulted,
  field,
  integer,
  object,
  optional,
  string,
  stringMap,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { namespaceName, objectName } from './formats.ts';

const generation = integer(1, Number.MAX_SAFE_INTEGER);
const timestamp = string({ min: 1 });

function commonMeta(fields: Fields, path: Path, problems: Problems): ClusterObjectMeta {
  const creationTimestamp = optional(fields, 'creationTimestamp', timestamp, path, problems);
  return {
    name: field(fields, 'name', objectName, path, problems),
    labels: defaulted(fields, 'labels', stringMap, {}, path, problems),
    generation: defaulted(fields, 'generation', generation, 1, path, problems),
    ...(creationTimestamp !== undefined && { creationTimestamp }),
  };
}

export function clusterObjectMeta(value: unknown, path: Path, problems: Problems): ClusterObjectMeta {
  return commonMeta(object(value, path, problems), path, problems);
}

/** Namespaced metadata; a missing namespace means the controller's, as Envoy Gateway's file provider does. */
export function objectMeta(value: unknown, path: Path, problems: Problems): ObjectMeta {
  const fields = object(value, path, problems);
  return {
    ...commonMeta(fields, path, problems),
    namespace: defaulted(fields, 'namespace', namespaceName, DEFAULT_NAMESPACE, path, problems),
  };
}
