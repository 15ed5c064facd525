import { loadResources, type LoadResult } from '@eg/gatewayapi';
import type { RawObject } from './reachable.ts';

/** Metadata the translator reads; server-managed fields (managedFields, uid, resourceVersion) stay out. */
function forLoader(obj: RawObject): object {
  const { metadata = {}, ...rest } = obj as RawObject & { status?: unknown };
  delete (rest as { status?: unknown }).status;
  const creation = metadata.creationTimestamp as Date | string | undefined;
  return {
    ...rest,
    metadata: {
      name: metadata.name,
      ...(metadata.namespace !== undefined && { namespace: metadata.namespace }),
      ...(metadata.labels && { labels: metadata.labels }),
      ...(metadata.annotations && { annotations: metadata.annotations }),
      ...(metadata.generation !== undefined && { generation: metadata.generation }),
      ...(creation !== undefined && {
        creationTimestamp: (creation instanceof Date ? creation.toISOString() : creation).replace(/\.\d+Z$/, 'Z'),
      }),
    },
  };
}

/**
 * Decodes cluster objects with the same loader the file provider uses, so the translator sees the same
 * validated, defaulted resources in both modes (JSON is YAML: each object is one document). Results are
 * kept per object version, so a change re-decodes only what changed.
 */
export class Normaliser {
  private cache = new Map<string, LoadResult>();

  normalise(objects: readonly RawObject[]): LoadResult {
    const next = new Map<string, LoadResult>();
    const result: LoadResult = { resources: [], errors: [], notices: [] };
    for (const obj of objects) {
      const version = `${obj.kind}/${obj.metadata?.uid ?? obj.metadata?.name}@${obj.metadata?.resourceVersion ?? ''}`;
      const loaded = this.cache.get(version) ?? loadResources(JSON.stringify(forLoader(obj)), `kubernetes ${obj.kind}`);
      next.set(version, loaded);
      result.resources.push(...loaded.resources);
      result.errors.push(...loaded.errors);
      result.notices.push(...loaded.notices);
    }
    this.cache = next;
    return result;
  }
}
