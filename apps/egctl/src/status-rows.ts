import type { ResourceStatus } from '@eg/ir';

/** One condition of one resource, and where in the status it sits (a route's parent, a listener). */
export interface ConditionRow {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `parent eg`, `listener http`, `ancestor eg`, or empty for the resource's own conditions. */
  readonly scope: string;
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Every condition a status holds: its own, each listener's, each parent's and each ancestor's. */
export function conditionRows(entry: ResourceStatus): ConditionRow[] {
  const base = { kind: entry.kind, namespace: entry.namespace ?? '', name: entry.name };
  const status = record(entry.status);
  const rows: ConditionRow[] = [];
  const add = (scope: string, conditions: unknown): void => {
    for (const c of Array.isArray(conditions) ? conditions : []) {
      if (!isCondition(c)) continue;
      rows.push({ ...base, scope, type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '' });
    }
  };
  add('', status['conditions']);
  for (const l of list(status['listeners'])) add(`listener ${String(l['name'])}`, l['conditions']);
  for (const p of list(status['parents'])) add(`parent ${refName(p['parentRef'])}`, p['conditions']);
  for (const a of list(status['ancestors'])) add(`ancestor ${refName(a['ancestorRef'])}`, a['conditions']);
  return rows;
}

function refName(ref: unknown): string {
  const r = record(ref);
  const name = String(r['name'] ?? '');
  const section = r['sectionName'] === undefined ? '' : `/${String(r['sectionName'])}`;
  return r['namespace'] === undefined ? `${name}${section}` : `${String(r['namespace'])}/${name}${section}`;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(record) : [];
}

function isCondition(v: unknown): v is Condition {
  const r = record(v);
  return typeof r['type'] === 'string' && typeof r['status'] === 'string';
}
