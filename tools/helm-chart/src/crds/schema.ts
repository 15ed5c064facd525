/**
 * A small vocabulary for structural OpenAPI v3 schemas (every node typed, `properties` and
 * `additionalProperties` never together), so the CRDs read like the resources they describe.
 */
export type Schema = Readonly<Record<string, unknown>>;

type Extra = Readonly<Record<string, unknown>>;

export const str = (extra: Extra = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Extra = {}): Schema => ({ type: 'integer', format: 'int32', ...extra });
export const bool = (extra: Extra = {}): Schema => ({ type: 'boolean', ...extra });
export const oneOf = (values: readonly string[], extra: Extra = {}): Schema => str({ enum: values, ...extra });
export const port = (): Schema => int({ minimum: 1, maximum: 65535 });
/** Durations in Gateway API's format (`1h`, `500ms`). */
export const duration = (): Schema => str({ pattern: '^([0-9]{1,5}(h|m|s|ms)){1,4}$' });
/** Kubernetes quantities and IntOrString fields. */
export const intOrString = (): Schema => ({ 'x-kubernetes-int-or-string': true });

export function obj(properties: Readonly<Record<string, Schema>>, required: readonly string[] = []): Schema {
  return { type: 'object', properties, ...(required.length > 0 && { required }) };
}

export function arr(items: Schema, extra: Extra = {}): Schema {
  return { type: 'array', items, ...extra };
}

/** A list keyed by one field, so server-side apply merges entries by that key. */
export function keyedList(items: Schema, key: string, extra: Extra = {}): Schema {
  return arr(items, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key], ...extra });
}

export const stringMap = (): Schema => ({ type: 'object', additionalProperties: { type: 'string' } });

/** A subtree we pass through without modelling it: kept as written, not pruned. */
export function opaque(description?: string): Schema {
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(description && { description }) };
}

/** A Kubernetes name (DNS-1123 subdomain length). */
export const name = (): Schema => str({ minLength: 1, maxLength: 253 });
export const group = (): Schema => str({ maxLength: 253 });
export const kind = (): Schema => str({ minLength: 1, maxLength: 63 });
export const sectionName = (): Schema => str({ minLength: 1, maxLength: 253 });
export const hostname = (): Schema => str({ minLength: 1, maxLength: 253 });

/** metav1.Condition. */
export function conditions(): Schema {
  return keyedList(
    obj(
      {
        type: str({ maxLength: 316 }),
        status: oneOf(['True', 'False', 'Unknown']),
        reason: str({ minLength: 1, maxLength: 1024 }),
        message: str({ maxLength: 32768 }),
        lastTransitionTime: str({ format: 'date-time' }),
        observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      },
      ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
    ),
    'type',
    { maxItems: 8 },
  );
}

/** Gateway API's ParentReference (also the ancestorRef of policy statuses). */
export function parentRef(): Schema {
  return obj(
    {
      group: group(),
      kind: kind(),
      namespace: str({ minLength: 1, maxLength: 63 }),
      name: name(),
      sectionName: sectionName(),
      port: port(),
    },
    ['name'],
  );
}

/** The status every route kind has: one entry per parent and controller. */
export function routeStatus(): Schema {
  return obj({
    parents: arr(
      obj({ parentRef: parentRef(), controllerName: str({ minLength: 1, maxLength: 253 }), conditions: conditions() }, [
        'parentRef',
        'controllerName',
      ]),
      { maxItems: 32 },
    ),
  });
}

/** The status of policies: one entry per ancestor (Gateway, listener, route) and controller. */
export function policyStatus(): Schema {
  return obj(
    {
      ancestors: arr(
        obj(
          { ancestorRef: parentRef(), controllerName: str({ minLength: 1, maxLength: 253 }), conditions: conditions() },
          ['ancestorRef', 'controllerName'],
        ),
        { maxItems: 16 },
      ),
    },
    ['ancestors'],
  );
}

/** A plain status with conditions (GatewayClass, EnvoyProxy, Backend). */
export function conditionsStatus(): Schema {
  return obj({ conditions: conditions() });
}

/** A policy's target: a local object by group, kind and name (and optionally a section). */
export function targetRef(): Schema {
  return obj({ group: group(), kind: kind(), name: name(), sectionName: sectionName() }, ['group', 'kind', 'name']);
}

/** Gateway API's BackendRef; HTTPRoute's adds per-backend filters. */
export function backendRef(more: Readonly<Record<string, Schema>> = {}): Schema {
  return obj(
    {
      group: group(),
      kind: kind(),
      namespace: str({ minLength: 1, maxLength: 63 }),
      name: name(),
      port: port(),
      weight: int({ minimum: 0, maximum: 1000000 }),
      ...more,
    },
    ['name'],
  );
}
