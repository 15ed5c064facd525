/** JSON values as the API server stores them. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'test';
  readonly path: string;
  readonly value?: Json;
}

/** RFC 6902 JSON patch (add, remove, replace, test); throws on a path that does not resolve. */
export function jsonPatch(target: JsonObject, ops: readonly JsonPatchOperation[]): JsonObject {
  const doc = clone(target);
  for (const op of ops) {
    const segments = op.path
      .split('/')
      .slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop();
    if (last === undefined) throw new Error(`invalid patch path "${op.path}"`);
    let parent: Json | undefined = doc;
    for (const s of segments)
      parent = Array.isArray(parent) ? parent[Number(s)] : isObject(parent) ? parent[s] : undefined;
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'test' && !jsonEqual(parent[index], op.value)) throw new Error(`test failed at "${op.path}"`);
      if (op.op === 'add') parent.splice(index, 0, clone(op.value ?? null));
      if (op.op === 'remove') parent.splice(index, 1);
      if (op.op === 'replace') parent[index] = clone(op.value ?? null);
    } else if (isObject(parent)) {
      if (op.op !== 'add' && !(last in parent)) throw new Error(`no value at "${op.path}"`);
      if (op.op === 'test' && !jsonEqual(parent[last], op.value)) throw new Error(`test failed at "${op.path}"`);
      if (op.op === 'add' || op.op === 'replace') parent[last] = clone(op.value ?? null);
      if (op.op === 'remove') delete parent[last];
    } else throw new Error(`no value at "${op.path}"`);
  }
  return doc;
}
