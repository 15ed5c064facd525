import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@eg/testing';

// `npm start` itself: Ctrl-C (SIGINT) while the services are still starting stops the ones already running,
// so nothing is left behind listening on the ports of the next start.

const MAIN = resolve(import.meta.dirname, '../src/main.ts');

/** Command lines of the processes running now that mention `marker`. */
async function processesWith(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(cmdline.replaceAll('\0', ' ').trim());
  }
  return found;
}

describe('npm start (standalone launcher)', () => {
  let dir: string | undefined;

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops every process it started when Ctrl-C comes before the system is up', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'eg-launcher-'));
    const echoPort = await freePort();
    const xdsPort = await freePort();
    const launcher = spawn(
      process.execPath,
      [MAIN, '--resources', dir, '--echo-port', String(echoPort), '--xds-port', String(xdsPort)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => launcher.once('exit', (code) => done(code)));
    // NATS and the echo backend come first, then the services one by one: stop once the provider runs.
    const provider = async () => (await processesWith(dir!)).filter((c) => c.includes('apps/provider/src/main.ts'));
    await eventually(async () => expect(await provider()).toHaveLength(1), { timeoutMs: 30_000 });
    expect((await fetch(`http://127.0.0.1:${echoPort}/health`)).status).toBe(200);

    launcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await processesWith(dir)).toEqual([]);
    expect(await processesWith(`--port ${echoPort}`)).toEqual([]);
  });
});
