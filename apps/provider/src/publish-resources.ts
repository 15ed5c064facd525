import type { TraceContext, WatchableMap } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';

export interface PublishCounts {
  readonly written: number;
  readonly deleted: number;
}

/**
 * Makes the `resources` bucket hold exactly `resources`: one entry per object, so one edited route
 * re-sends one small entry; then a commit so the translator never reads half of a reload.
 */
export async function publishResources(
  map: WatchableMap<Resource>,
  resources: ReadonlyMap<string, Resource>,
  trace: TraceContext,
): Promise<PublishCounts> {
  let written = 0;
  let deleted = 0;
  for (const [key, resource] of resources) {
    if (await map.put(key, resource, trace)) written++;
  }
  for (const key of await map.keys()) {
    if (resources.has(key)) continue;
    await map.delete(key);
    deleted++;
  }
  if (written > 0 || deleted > 0) await map.commit();
  return { written, deleted };
}
