import { describe, expect, it } from 'vitest';
import { SnapshotCoalescer } from './coalescer.ts';
import type { Entry } from './types.ts';

let revision = 0;
const entry = (key: string, value: number): Entry<number> => ({ key, value, revision: ++revision });
const values = (state: ReadonlyMap<string, Entry<number>>): Record<string, number> =>
  Object.fromEntries([...state].map(([k, e]) => [k, e.value]));

describe('SnapshotCoalescer', () => {
  it('yields the whole state first, once the replay is done', () => {
    const c = new SnapshotCoalescer<number>(false);
    c.put(entry('a', 1));
    c.put(entry('b', 2));
    c.delete('a');
    expect(c.take()).toBeUndefined();
    c.replayDone();
    const first = c.take()!;
    expect(first.initial).toBe(true);
    expect(first.updates).toEqual([]);
    expect(values(first.state)).toEqual({ b: 2 });
    expect(c.take()).toBeUndefined();
  });

  it('yields an empty initial state for an empty bucket', () => {
    const c = new SnapshotCoalescer<number>(false);
    c.replayDone();
    expect(c.take()).toEqual({ initial: true, state: new Map(), updates: [] });
  });

  it('merges updates: last per key wins, in the order of each key last change', () => {
    const c = new SnapshotCoalescer<number>(false);
    c.put(entry('old', 0));
    c.replayDone();
    c.take();
    c.put(entry('a', 1));
    c.put(entry('b', 1));
    c.put(entry('a', 2));
    c.delete('old');
    const s = c.take()!;
    expect(s.initial).toBe(false);
    expect(s.updates.map((u) => [u.key, u.type === 'put' ? u.entry.value : 'deleted'])).toEqual([
      ['b', 1],
      ['a', 2],
      ['old', 'deleted'],
    ]);
    expect(values(s.state)).toEqual({ a: 2, b: 1 });
  });

  it('drops a key that was added and removed between two snapshots', () => {
    const c = new SnapshotCoalescer<number>(false);
    c.replayDone();
    c.take();
    c.put(entry('tmp', 1));
    c.delete('tmp');
    expect(c.ready()).toBe(false);
    c.delete('never-existed');
    expect(c.take()).toBeUndefined();
  });

  it('never mutates a state it handed out', () => {
    const c = new SnapshotCoalescer<number>(false);
    c.put(entry('a', 1));
    c.replayDone();
    const first = c.take()!;
    c.put(entry('a', 2));
    c.put(entry('b', 3));
    const second = c.take()!;
    expect(values(first.state)).toEqual({ a: 1 });
    expect(values(second.state)).toEqual({ a: 2, b: 3 });
  });

  describe('at commit', () => {
    it('shows nothing of a batch until its commit', () => {
      const c = new SnapshotCoalescer<number>(true);
      c.put(entry('a', 1));
      c.commit();
      c.replayDone();
      expect(values(c.take()!.state)).toEqual({ a: 1 });
      c.put(entry('a', 2));
      c.put(entry('b', 2));
      expect(c.take()).toBeUndefined();
      c.commit();
      const s = c.take()!;
      expect(values(s.state)).toEqual({ a: 2, b: 2 });
      expect(s.updates.map((u) => u.key)).toEqual(['a', 'b']);
    });

    it('delays the first snapshot past an uncommitted tail to the next commit', () => {
      const c = new SnapshotCoalescer<number>(true);
      c.put(entry('a', 1));
      c.commit();
      c.put(entry('b', 1)); // a writer is mid-batch while we replay
      c.replayDone();
      expect(c.take()).toBeUndefined();
      c.put(entry('c', 1));
      c.commit();
      c.put(entry('d', 1)); // the next batch has started
      const s = c.take()!;
      expect(s.initial).toBe(true);
      expect(values(s.state)).toEqual({ a: 1, b: 1, c: 1 });
    });

    it('treats a commit with no changes as nothing new', () => {
      const c = new SnapshotCoalescer<number>(true);
      c.replayDone();
      c.take();
      c.commit();
      expect(c.take()).toBeUndefined();
    });
  });
});
