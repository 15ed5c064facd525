import { clone, isObject, jsonEqual, type Json, type JsonObject } from './json.ts';

/**
 * Field sets of server-side apply. A path is a list of segments: `f:<key>` for a map key and
 * `k:<json>` for an item of an associative list (identified by its key fields), serialised as JSON
 * so a set of paths is a `Set<string>`. Lists not named below are atomic: owned and replaced whole.
 */
export type FieldSet = Set<string>;

/** Associative lists (as the built-in schemas mark them), by field name: the item's key fields. */
function listKeys(field: string, item: JsonObject): readonly string[] | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
      return ['name'];
    case 'volumeMounts':
      return ['mountPath'];
    case 'conditions':
      return ['type'];
    case 'ports':
      return 'containerPort' in item ? ['containerPort', 'protocol'] : ['port', 'protocol'];
    default:
      return undefined;
  }
}

function itemKey(keys: readonly string[], item: JsonObject): JsonObject {
  const key: JsonObject = {};
  for (const k of keys) {
    // Kubernetes defaults `protocol` to TCP, so an item without it is keyed as TCP.
    const value = item[k] ?? (k === 'protocol' ? 'TCP' : undefined);
    if (value !== undefined) key[k] = value;
  }
  return key;
}

function isAssociative(field: string, list: Json[]): boolean {
  return list.length > 0 && list.every((i) => isObject(i) && listKeys(field, i) !== undefined);
}

function walk(value: JsonObject, prefix: string[], out: FieldSet): void {
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, `f:${key}`];
    if (isObject(child) && Object.keys(child).length > 0) {
      walk(child, path, out);
    } else if (Array.isArray(child) && isAssociative(key, child)) {
      for (const item of child as JsonObject[]) {
        const itemPath = [...path, `k:${JSON.stringify(itemKey(listKeys(key, item)!, item))}`];
        out.add(JSON.stringify(itemPath));
        walk(item, itemPath, out);
      }
    } else {
      out.add(JSON.stringify(path));
    }
  }
}

/** The part of an object a manager can own through one endpoint: `status`, or everything else. */
export function ownedPart(obj: JsonObject, subresource: 'main' | 'status', statusIsSubresource: boolean): JsonObject {
  if (subresource === 'status') return isObject(obj['status']) ? { status: obj['status'] } : {};
  const part: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || (key === 'status' && statusIsSubresource)) continue;
    if (key === 'metadata' && isObject(value)) {
      const meta: JsonObject = {};
      for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
        if (value[k] !== undefined) meta[k] = value[k]!;
      }
      if (Object.keys(meta).length > 0) part['metadata'] = meta;
      continue;
    }
    part[key] = value;
  }
  return part;
}

export function fieldSet(obj: JsonObject): FieldSet {
  const out: FieldSet = new Set();
  walk(obj, [], out);
  return out;
}

function findItem(list: Json[], segment: string): number {
  const key = JSON.parse(segment.slice(2)) as JsonObject;
  return list.findIndex(
    (i) =>
      isObject(i) &&
      Object.entries(key).every(([k, v]) => jsonEqual(i[k] ?? (k === 'protocol' ? 'TCP' : undefined), v)),
  );
}

export function getAt(obj: Json | undefined, path: readonly string[]): Json | undefined {
  let node = obj;
  for (const segment of path) {
    if (segment.startsWith('f:')) {
      if (!isObject(node)) return undefined;
      node = node[segment.slice(2)];
    } else {
      if (!Array.isArray(node)) return undefined;
      node = node[findItem(node, segment)];
    }
  }
  return node;
}

/** Removes the field at `path`; maps and lists left empty by it are removed too, as apply does. */
export function removeAt(obj: JsonObject, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head.startsWith('f:')) {
    const key = head.slice(2);
    if (rest.length === 0) {
      delete obj[key];
      return;
    }
    const child = obj[key];
    if (isObject(child)) {
      removeAt(child, rest);
      if (Object.keys(child).length === 0) delete obj[key];
    } else if (Array.isArray(child)) {
      const index = findItem(child, rest[0]!);
      if (index < 0) return;
      if (rest.length === 1) child.splice(index, 1);
      else if (isObject(child[index])) removeAt(child[index], rest.slice(1));
      if (child.length === 0) delete obj[key];
    }
  }
}

/** Applies a configuration onto a live object: maps merge, associative lists merge by key, the rest is replaced. */
export function mergeApplied(live: Json | undefined, config: Json, field = ''): Json {
  if (isObject(config)) {
    const result: JsonObject = isObject(live) ? clone(live) : {};
    for (const [key, value] of Object.entries(config)) result[key] = mergeApplied(result[key], value, key);
    return result;
  }
  if (Array.isArray(config) && Array.isArray(live) && isAssociative(field, config) && isAssociative(field, live)) {
    // The applied order wins; items only the live list has (set by other managers) follow it.
    const rest = clone(live);
    const result: Json[] = [];
    for (const item of config as JsonObject[]) {
      const index = findItem(rest, `k:${JSON.stringify(itemKey(listKeys(field, item)!, item))}`);
      result.push(index < 0 ? clone(item) : mergeApplied(rest.splice(index, 1)[0], item));
    }
    return [...result, ...rest];
  }
  return clone(config);
}

/** The `fieldsV1` rendering of a field set, as `managedFields` shows it. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const encoded of [...set].sort()) {
    let node = root;
    for (const segment of JSON.parse(encoded) as string[]) {
      if (!isObject(node[segment])) node[segment] = {};
      node = node[segment] as JsonObject;
    }
  }
  return root;
}

/** Leaf paths of `next` whose value differs from `previous` (what an update changed). */
export function changedPaths(previous: JsonObject, next: JsonObject): FieldSet {
  const changed: FieldSet = new Set();
  for (const encoded of fieldSet(next)) {
    const path = JSON.parse(encoded) as string[];
    if (!jsonEqual(getAt(previous, path), getAt(next, path))) changed.add(encoded);
  }
  return changed;
}
