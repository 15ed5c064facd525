import type { Schema } from './schema.ts';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date' | 'boolean';
  readonly jsonPath: string;
  readonly priority?: number;
}

export interface CrdDefinition {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly shortNames?: readonly string[];
  readonly categories: readonly string[];
  /** The version objects are stored in; listed first. */
  readonly storageVersion: string;
  /** Further versions served with the same schema (no conversion needed). */
  readonly alsoServed?: readonly string[];
  readonly spec: Schema;
  /** Whether objects must have a spec (EnvoyProxy's is optional). Default true. */
  readonly specRequired?: boolean;
  /** The status schema; its presence turns on the status subresource. */
  readonly status?: Schema;
  readonly printerColumns?: readonly PrinterColumn[];
  /** Which release channel or bundle the CRD belongs to, for the chart's switches. */
  readonly bundle: 'gatewayAPI' | 'envoyGateway';
}

export interface CustomResourceDefinition {
  readonly apiVersion: 'apiextensions.k8s.io/v1';
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly group: string;
    readonly names: {
      readonly kind: string;
      readonly listKind: string;
      readonly plural: string;
      readonly singular: string;
      readonly shortNames?: readonly string[];
      readonly categories: readonly string[];
    };
    readonly scope: 'Namespaced' | 'Cluster';
    readonly versions: readonly CrdVersion[];
  };
}

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly schema: { readonly openAPIV3Schema: Schema };
  readonly subresources?: { readonly status: Record<string, never> };
  readonly additionalPrinterColumns: readonly PrinterColumn[];
}

export const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A condition's status as a printer column, e.g. `Accepted` or `Programmed`. */
export function conditionColumn(type: string, priority?: number): PrinterColumn {
  return {
    name: type,
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
    ...(priority !== undefined && { priority }),
  };
}

export function customResourceDefinition(def: CrdDefinition): CustomResourceDefinition {
  const openAPIV3Schema: Schema = {
    type: 'object',
    description: `${def.kind} (${def.group}).`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: def.spec,
      ...(def.status && { status: def.status }),
    },
    ...(def.specRequired !== false && { required: ['spec'] }),
  };
  const version = (name: string, storage: boolean): CrdVersion => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema },
    ...(def.status && { subresources: { status: {} } }),
    additionalPrinterColumns: def.printerColumns ?? [AGE],
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    // Uninstalling the chart must not delete every Gateway and route in the cluster with their CRDs.
    metadata: { name: `${def.plural}.${def.group}`, annotations: { 'helm.sh/resource-policy': 'keep' } },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        ...(def.shortNames && { shortNames: def.shortNames }),
        categories: def.categories,
      },
      scope: def.scope,
      versions: [version(def.storageVersion, true), ...(def.alsoServed ?? []).map((v) => version(v, false))],
    },
  };
}
