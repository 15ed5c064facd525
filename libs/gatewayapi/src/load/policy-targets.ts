import { GATEWAY_API_GROUP, type PolicyTargetReference } from '../resources.ts';
import { field, isAbsent, list, object, optional, string, type Fields, type Path, type Problems } from './decode.ts';
import { kind, objectName, sectionName } from './formats.ts';

/**
 * A policy's `targetRef` (deprecated) or `targetRefs`: exactly one of them, as the CRDs' CEL rule says, each
 * naming a Gateway API object of one of `kinds` in the policy's namespace. `targetSelectors` are not
 * translated yet: a policy with them targets nothing.
 */
export function policyTargets(spec: Fields, kinds: readonly string[], problems: Problems): PolicyTargetReference[] {
  if (!isAbsent(spec['targetSelectors'])) return [];
  const single = !isAbsent(spec['targetRef']);
  const many = !isAbsent(spec['targetRefs']);
  if (single === many) {
    problems.add(['spec'], 'exactly one of targetRef or targetRefs must be set');
    return [];
  }
  const reference = targetReference(kinds);
  if (single) return [reference(spec['targetRef'], ['spec', 'targetRef'], problems)];
  return [...field(spec, 'targetRefs', list(reference, { min: 1, max: 16 }), ['spec'], problems)];
}

function targetReference(kinds: readonly string[]) {
  return (value: unknown, path: Path, problems: Problems): PolicyTargetReference => {
    const fields = object(value, path, problems);
    const group = field(fields, 'group', string(), path, problems);
    if (group !== GATEWAY_API_GROUP) problems.add([...path, 'group'], `must be ${GATEWAY_API_GROUP}`);
    const targetKind = field(fields, 'kind', kind, path, problems);
    if (targetKind !== '' && !kinds.includes(targetKind)) {
      problems.add([...path, 'kind'], `must be one of ${kinds.join(', ')}`);
    }
    const section = optional(fields, 'sectionName', sectionName, path, problems);
    return {
      group,
      kind: targetKind,
      name: field(fields, 'name', objectName, path, problems),
      ...(section !== undefined && { sectionName: section }),
    };
  };
}

/** Refuses every field of the object at `path` that is not in `translated`, naming it (and saying `what` is). */
export function refuseUntranslated(
  fields: Fields,
  translated: readonly string[],
  path: Path,
  problems: Problems,
  what?: string,
): void {
  for (const key of Object.keys(fields).sort()) {
    if (!translated.includes(key) && !isAbsent(fields[key])) {
      problems.add([...path, key], `is not supported yet${what ? ` (${what})` : ''}`);
    }
  }
}
