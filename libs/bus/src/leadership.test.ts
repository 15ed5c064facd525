import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Leadership } from './leadership.ts';

describe('Leadership', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('leads after a renewal until its deadline passes, telling listeners of each change once', () => {
    const leadership = new Leadership('translator');
    const changes: boolean[] = [];
    leadership.onChange((leader) => changes.push(leader));
    leadership.renewed(Date.now(), 10_000);
    vi.advanceTimersByTime(5_000);
    leadership.renewed(Date.now(), 10_000);
    vi.advanceTimersByTime(9_999);
    expect(leadership.isLeader()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(leadership.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('does not lead on a renewal that arrives after its own deadline', () => {
    const leadership = new Leadership('translator');
    const sentAt = Date.now();
    vi.advanceTimersByTime(10_000);
    leadership.renewed(sentAt, 10_000);
    expect(leadership.isLeader()).toBe(false);
  });

  it('resolves whenLeader once it leads, and rejects it when the wait is aborted, before or during', async () => {
    const leadership = new Leadership('translator');
    const waiting = leadership.whenLeader();
    leadership.renewed(Date.now(), 10_000);
    await expect(waiting).resolves.toBeUndefined();
    leadership.lost();

    const controller = new AbortController();
    const aborted = leadership.whenLeader(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toThrow('stopped waiting for lease translator');
    await expect(leadership.whenLeader(AbortSignal.abort())).rejects.toThrow('stopped waiting for lease translator');
  });
});
