import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { freePort } from './ports.ts';

describe('freePort', () => {
  it('never hands out the same port twice in one process', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('picks ports below the ephemeral range, where outgoing connections and listen(0) never take them', async () => {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    for (let i = 0; i < 50; i++) expect(await freePort()).toBeLessThan(start!);
  });
});
