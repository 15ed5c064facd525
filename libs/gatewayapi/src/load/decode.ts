/**
 * A small decoder kit for validating one parsed document. Every decoder returns a value of its type and
 * records a problem instead of throwing, so one pass reports every problem of a document; a document with
 * problems is dropped as a whole, so the stand-in values returned on failure never leave the loader.
 */

export type Path = readonly (string | number)[];

export interface Problem {
  readonly path: Path;
  readonly message: string;
}

/** Collects the problems of one document. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: Path, message: string): void {
    this.list.push({ path, message });
  }
}

/** Reads the value at `path`; `undefined` and `null` mean the field is absent. */
export type Decoder<T> = (value: unknown, path: Path, problems: Problems) => T;

const REQUIRED = 'is required';

export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** `spec.rules[0].backendRefs[1].port` */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

export type Fields = Readonly<Record<string, unknown>>;

export function object(value: unknown, path: Path, problems: Problems): Fields {
  if (isAbsent(value)) problems.add(path, REQUIRED);
  else if (typeof value !== 'object' || Array.isArray(value)) problems.add(path, 'must be an object');
  else return value as Fields;
  return {};
}

export interface StringRules {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** What the pattern means, for the message. */
  readonly format?: string;
}

export function string(rules: StringRules = {}): Decoder<string> {
  const { min = 0, max = Infinity, pattern, format } = rules;
  return (value, path, problems) => {
    if (isAbsent(value)) problems.add(path, REQUIRED);
    else if (typeof value !== 'string') problems.add(path, 'must be a string');
    else if (value.length < min || value.length > max) problems.add(path, lengthMessage(min, max));
    else if (pattern && !pattern.test(value)) problems.add(path, `must be ${format ?? `a string matching ${pattern}`}`);
    else return value;
    return '';
  };
}

function lengthMessage(min: number, max: number): string {
  if (max === Infinity) return `must be at least ${min} characters long`;
  if (min === 0) return `must be at most ${max} characters long`;
  return `must be ${min}-${max} characters long`;
}

export function integer(min: number, max: number): Decoder<number> {
  return (value, path, problems) => {
    if (isAbsent(value)) problems.add(path, REQUIRED);
    else if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.add(path, `must be an integer ${min}-${max}`);
    } else return value;
    return min;
  };
}

export const boolean: Decoder<boolean> = (value, path, problems) => {
  if (isAbsent(value)) problems.add(path, REQUIRED);
  else if (typeof value !== 'boolean') problems.add(path, 'must be true or false');
  else return value;
  return false;
};

export function oneOf<const T extends string>(values: readonly T[]): Decoder<T> {
  return (value, path, problems) => {
    if (isAbsent(value)) problems.add(path, REQUIRED);
    else if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      problems.add(path, `must be one of ${values.join(', ')}`);
    } else return value as T;
    return values[0] as T;
  };
}

export interface ListRules {
  readonly min?: number;
  readonly max?: number;
}

export function list<T>(item: Decoder<T>, rules: ListRules = {}): Decoder<readonly T[]> {
  const { min = 0, max = Infinity } = rules;
  return (value, path, problems) => {
    if (isAbsent(value)) {
      problems.add(path, REQUIRED);
      return [];
    }
    if (!Array.isArray(value)) {
      problems.add(path, 'must be a list');
      return [];
    }
    if (value.length < min) problems.add(path, `must have at least ${min} item${min === 1 ? '' : 's'}`);
    if (value.length > max) problems.add(path, `must have at most ${max} items`);
    return value.map((v, i) => item(v, [...path, i], problems));
  };
}

/** A map of string keys to string values, such as labels. */
export const stringMap: Decoder<Readonly<Record<string, string>>> = (value, path, problems) => {
  const fields = object(value, path, problems);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(fields)) {
    if (typeof v === 'string') out[key] = v;
    else problems.add([...path, key], 'must be a string');
  }
  return out;
};

/** Reads a required field. */
export function field<T>(fields: Fields, key: string, decoder: Decoder<T>, path: Path, problems: Problems): T {
  return decoder(fields[key], [...path, key], problems);
}

/** Reads an optional field; absent gives `undefined`. */
export function optional<T>(
  fields: Fields,
  key: string,
  decoder: Decoder<T>,
  path: Path,
  problems: Problems,
): T | undefined {
  const value = fields[key];
  return isAbsent(value) ? undefined : decoder(value, [...path, key], problems);
}

/** Reads an optional field that the schema defaults. */
export function defaulted<T>(
  fields: Fields,
  key: string,
  decoder: Decoder<T>,
  fallback: T,
  path: Path,
  problems: Problems,
): T {
  return optional(fields, key, decoder, path, problems) ?? fallback;
}

/** Reports each value that appears more than once (list-map keys and sets). */
export function checkUnique<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: Path,
  what: string,
  problems: Problems,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) problems.add([...path, i], `${what} ${JSON.stringify(k)} must be unique`);
    seen.add(k);
  });
}

/**
 * A list-type set (`x-kubernetes-list-type: set`), checked on the input so that a value that failed to decode is
 * not also reported as a repeat of the fallback it decoded to.
 */
export function checkSet(fields: Fields, key: string, path: Path, problems: Problems): void {
  const raw = fields[key];
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (Array.isArray(raw)) checkUnique(raw, text, [...path, key], 'value', problems);
}
