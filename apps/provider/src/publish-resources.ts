import type { TraceContext, WatchableMap } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';

export interface PublishCounts {
  readonly written: number;
  readonly deleted: number;
}

/**
 * Makes the `resources` bucket hold exactly the given resources: one entry per object, so one edited route
 * re-sends one small entry; then a commit so the translator never reads half of a reload.
 */
export class ResourcePublisher {
  private readonly map: WatchableMap<Resource>;
  /**
   * The bucket's keys as the last publish left them; listed once, from the bucket, on first use (what an
   * earlier provider left). Listing on every reload cost ~0.25 ms per object.
   */
  private known: Set<string> | undefined;

  constructor(map: WatchableMap<Resource>) {
    this.map = map;
  }

  async publish(resources: ReadonlyMap<string, Resource>, trace: TraceContext): Promise<PublishCounts> {
    const known = (this.known ??= new Set(await this.map.keys()));
    let written = 0;
    let deleted = 0;
    for (const [key, resource] of resources) {
      if (await this.map.put(key, resource, trace)) written++;
      known.add(key);
    }
    for (const key of [...known]) {
      if (resources.has(key)) continue;
      await this.map.delete(key);
      known.delete(key);
      deleted++;
    }
    if (written > 0 || deleted > 0) await this.map.commit();
    return { written, deleted };
  }
}
