import { describe, expect, it } from 'vitest';
import { hashedProxyName } from './proxy-name.ts';

describe('hashedProxyName', () => {
  it('keeps the key readable and adds a hash of it', () => {
    expect(hashedProxyName('default/eg')).toMatch(/^default-eg-[0-9a-f]{8}$/);
  });

  it('keeps distinct long keys distinct after truncation', () => {
    const long = 'n'.repeat(60);
    const a = hashedProxyName(`${long}/a`);
    const b = hashedProxyName(`${long}/b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(64);
  });
});
