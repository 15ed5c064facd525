import { describe, expect, it } from 'vitest';
import { matchesSelector } from './label-selector.ts';

describe('matchesSelector', () => {
  const labels = { env: 'prod', team: 'web' };

  it('selects everything with an empty selector', () => {
    expect(matchesSelector({ matchLabels: {}, matchExpressions: [] }, labels)).toBe(true);
  });

  it('requires every label and every expression', () => {
    const selector = {
      matchLabels: { env: 'prod' },
      matchExpressions: [
        { key: 'team', operator: 'In' as const, values: ['web', 'api'] },
        { key: 'legacy', operator: 'DoesNotExist' as const, values: [] },
      ],
    };
    expect(matchesSelector(selector, labels)).toBe(true);
    expect(matchesSelector(selector, { ...labels, legacy: 'yes' })).toBe(false);
    expect(matchesSelector({ ...selector, matchLabels: { env: 'dev' } }, labels)).toBe(false);
  });

  it('treats NotIn as true for a missing label', () => {
    const selector = { matchLabels: {}, matchExpressions: [{ key: 'x', operator: 'NotIn' as const, values: ['1'] }] };
    expect(matchesSelector(selector, labels)).toBe(true);
  });
});
