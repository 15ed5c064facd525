import type { ReferenceGrant } from '../resources.ts';

export interface ReferenceFrom {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface ReferenceTo {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A cross-namespace reference needs a ReferenceGrant in the target's namespace that admits both ends. */
export function referenceAllowed(grants: readonly ReferenceGrant[], from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata.namespace === to.namespace &&
      grant.spec.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      grant.spec.to.some(
        (t) =>
          t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name),
      ),
  );
}
