import { describe, expect, it } from 'vitest';
import { TYPE_URLS } from '@eg/xds';
import { fleet } from '../test/fake-resources.ts';
import { SnapshotCache } from './snapshot-cache.ts';

describe('SnapshotCache', () => {
  it('tells the watchers of a key about changes, not about identical snapshots', () => {
    const cache = new SnapshotCache();
    const seen: string[] = [];
    cache.watch('a', () => seen.push('a'));
    cache.watch('b', () => seen.push('b'));
    cache.setSnapshot('a', fleet({ x: '1' }));
    cache.setSnapshot('a', fleet({ x: '1' }));
    cache.setSnapshot('a', fleet({ x: '2' }));
    cache.deleteSnapshot('a');
    cache.deleteSnapshot('a');
    expect(seen).toEqual(['a', 'a', 'a']);
  });

  it('stops calling a watcher once it unwatches', () => {
    const cache = new SnapshotCache();
    let calls = 0;
    const unwatch = cache.watch('a', () => calls++);
    cache.setSnapshot('a', fleet({ x: '1' }));
    unwatch();
    cache.setSnapshot('a', fleet({ x: '2' }));
    expect(calls).toBe(1);
  });

  it('looks resources up by type and name', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot('a', fleet({ x: '1', y: '2' }));
    expect([...(cache.get('a')?.ofType(TYPE_URLS.cluster).keys() ?? [])]).toEqual(['x', 'y']);
    expect(cache.get('a')?.ofType(TYPE_URLS.secret).size).toBe(0);
    expect(cache.keys()).toEqual(['a']);
  });
});
