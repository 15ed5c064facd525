import { describeResource, type LoadError, type Resource } from '@eg/gatewayapi';
import { resourceKey } from '@eg/ir';
import type { FileState } from './file/last-good.ts';

export function keyOf(resource: Resource): string {
  const { metadata } = resource;
  return resourceKey(resource.kind, 'namespace' in metadata ? metadata.namespace : undefined, metadata.name);
}

export interface ResourceSet {
  readonly resources: ReadonlyMap<string, Resource>;
  readonly errors: readonly LoadError[];
}

/** Merges the files into one set keyed for the bus; an object defined twice keeps the first file's version. */
export function mergeFiles(files: ReadonlyMap<string, FileState>): ResourceSet & { duplicates: string[] } {
  const resources = new Map<string, Resource>();
  const errors: LoadError[] = [];
  const duplicates: string[] = [];
  for (const [file, state] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    errors.push(...state.errors);
    for (const r of state.resources) {
      const key = keyOf(r);
      if (resources.has(key)) duplicates.push(`${file}: ${describeResource(r)} is already defined in another file`);
      else resources.set(key, r);
    }
  }
  return { resources, errors, duplicates };
}
