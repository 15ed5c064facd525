import { ApiError } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';

export type Selector = (obj: JsonObject) => boolean;

const ALL: Selector = () => true;

function labelsOf(obj: JsonObject): Record<string, string> {
  const meta = obj['metadata'];
  const labels = isObject(meta) ? meta['labels'] : undefined;
  return isObject(labels) ? (labels as Record<string, string>) : {};
}

/** Splits on commas outside parentheses (`a in (x,y),b`). */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
export function parseLabelSelector(text: string | null): Selector {
  if (!text) return ALL;
  const tests = terms(text).map((term): Selector => {
    let m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (o) => labelsOf(o)[key] !== value : (o) => labelsOf(o)[key] === value;
    }
    m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      return op === 'in' ? (o) => values.has(labelsOf(o)[key] ?? '\0') : (o) => !values.has(labelsOf(o)[key] ?? '\0');
    }
    m = /^(!?)([\w./-]+)$/.exec(term);
    if (m) {
      const [, not, key] = m as unknown as [string, string, string];
      return not ? (o) => !(key in labelsOf(o)) : (o) => key in labelsOf(o);
    }
    throw new ApiError(400, 'BadRequest', `unable to parse requirement: ${term}`);
  });
  return (o) => tests.every((test) => test(o));
}

/** Field selectors on `metadata.name` and `metadata.namespace` (what every kind supports). */
export function parseFieldSelector(text: string | null): Selector {
  if (!text) return ALL;
  const tests = terms(text).map((term): Selector => {
    const m = /^metadata\.(name|namespace)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new ApiError(400, 'BadRequest', `field label not supported: ${term}`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = (o: JsonObject): unknown => (isObject(o['metadata']) ? o['metadata'][field] : undefined);
    return op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value;
  });
  return (o) => tests.every((test) => test(o));
}
