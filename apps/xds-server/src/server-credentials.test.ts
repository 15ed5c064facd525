import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XdsServerStartError } from './errors.ts';
import { watchedServerCredentials } from './server-credentials.ts';

const egctl = resolve(import.meta.dirname, '../../egctl/src/main.ts');

describe('watchedServerCredentials', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eg-xds-creds-'));
    execFileSync(process.execPath, [egctl, 'x', 'certgen', '--out-dir', dir]);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a certgen folder', async () => {
    await expect(watchedServerCredentials(join(dir, 'envoy-gateway'))).resolves.toBeDefined();
  });

  it('refuses to start with a missing file or a key of another certificate, naming the problem', async () => {
    await expect(watchedServerCredentials(join(dir, 'missing'))).rejects.toThrow(XdsServerStartError);
    await copyFile(join(dir, 'envoy', 'tls.key'), join(dir, 'envoy-gateway', 'tls.key'));
    const failure = await watchedServerCredentials(join(dir, 'envoy-gateway')).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(XdsServerStartError);
    expect(((failure as Error).cause as Error).message).toBe('tls.key does not belong to tls.crt');
  });
});
