import type { TraceContext, WatchableMap } from '@eg/bus';

/** One output bucket and the entries a translation wants it to hold. */
export interface OutputSet<T> {
  readonly map: WatchableMap<T>;
  readonly entries: ReadonlyMap<string, T>;
}

export interface PublishStats {
  written: number;
  deleted: number;
  unchanged: number;
}

/**
 * Makes each output bucket hold exactly the translation's entries (mark and sweep): puts what changed,
 * deletes keys no longer produced, then commits so consumers see the whole batch at once.
 * `known` remembers the keys of each bucket across calls so a sweep needs no listing.
 */
export class Publisher {
  private readonly known = new Map<WatchableMap<unknown>, Set<string>>();

  async publish(outputs: readonly OutputSet<unknown>[], trace: TraceContext | undefined): Promise<PublishStats> {
    const stats: PublishStats = { written: 0, deleted: 0, unchanged: 0 };
    for (const { map, entries } of outputs) {
      const known = await this.knownKeys(map);
      for (const [key, value] of entries) {
        if (await map.put(key, value, trace)) stats.written++;
        else stats.unchanged++;
        known.add(key);
      }
      for (const key of [...known]) {
        if (entries.has(key)) continue;
        await map.delete(key);
        known.delete(key);
        stats.deleted++;
      }
    }
    for (const { map } of outputs) await map.commit();
    return stats;
  }

  private async knownKeys(map: WatchableMap<unknown>): Promise<Set<string>> {
    let keys = this.known.get(map);
    if (!keys) {
      keys = new Set(await map.keys());
      this.known.set(map, keys);
    }
    return keys;
  }
}
