import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '@eg/testing';

// `egctl x certgen --kubernetes` against the API-server emulator: Envoy Gateway's Secrets in the controller
// namespace, kept on a rerun, re-issued with --overwrite.

const MAIN = join(import.meta.dirname, '../src/main.ts');
const NS = 'eg-system';

describe('egctl x certgen --kubernetes', { timeout: 60_000 }, () => {
  let api: KubeApiServer;
  let dir: string;
  let core: CoreV1Api;

  // Asynchronous: the emulator runs in this process and must answer while egctl waits.
  const certgen = (...more: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [
        ...[MAIN, 'x', 'certgen', '--kubernetes', '--kubeconfig', join(dir, 'kubeconfig'), '--namespace', NS],
        ...more,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  const secret = (name: string): Promise<V1Secret> => core.readNamespacedSecret({ namespace: NS, name });
  const decoded = async (name: string, file: string): Promise<string> =>
    Buffer.from((await secret(name)).data![file]!, 'base64').toString('utf8');

  beforeAll(async () => {
    api = await startKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), 'egctl-certgen-k8s-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });

  afterAll(async () => {
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the envoy-gateway, envoy and envoy-rate-limit TLS Secrets from one CA', async () => {
    const run = await certgen();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('secret/envoy-gateway created\nsecret/envoy created\nsecret/envoy-rate-limit created\n');
    for (const name of ['envoy-gateway', 'envoy', 'envoy-rate-limit']) {
      const s = await secret(name);
      expect(s.type).toBe('kubernetes.io/tls');
      expect(Object.keys(s.data!).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    }
    // Envoy trusts the xds-server's certificate (and the other way round): one CA in every Secret.
    const ca = await decoded('envoy-gateway', 'ca.crt');
    expect(await decoded('envoy', 'ca.crt')).toBe(ca);
    await writeFile(join(dir, 'ca.crt'), ca);
    for (const name of ['envoy-gateway', 'envoy']) {
      await writeFile(join(dir, `${name}.crt`), await decoded(name, 'tls.crt'));
      const verify = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, `${name}.crt`)], {
        encoding: 'utf8',
      });
      expect(verify.stdout).toMatch(/: OK/);
    }
    const text = spawnSync(
      'openssl',
      ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'envoy-gateway.crt')],
      {
        encoding: 'utf8',
      },
    ).stdout;
    expect(text).toContain('DNS:envoy-gateway,');
    expect(text).toContain(`DNS:envoy-gateway.${NS}.svc.cluster.local`);
  });

  it('leaves existing Secrets untouched on a rerun, and re-issues all of them with --overwrite', async () => {
    const before = await decoded('envoy', 'tls.crt');
    const again = await certgen();
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      'secret/envoy-gateway unchanged\nsecret/envoy unchanged\nsecret/envoy-rate-limit unchanged\n',
    );
    expect(await decoded('envoy', 'tls.crt')).toBe(before);

    const ca = await decoded('envoy-gateway', 'ca.crt');
    const overwrite = await certgen('--overwrite');
    expect(overwrite.code).toBe(0);
    expect(overwrite.stdout).toBe(
      'secret/envoy-gateway updated\nsecret/envoy updated\nsecret/envoy-rate-limit updated\n',
    );
    expect(await decoded('envoy', 'tls.crt')).not.toBe(before);
    expect(await decoded('envoy-gateway', 'ca.crt')).not.toBe(ca);
    expect(await decoded('envoy', 'ca.crt')).toBe(await decoded('envoy-gateway', 'ca.crt'));
  });

  it('refuses to complete a partial set from a new CA, and --overwrite repairs it', async () => {
    await core.deleteNamespacedSecret({ namespace: NS, name: 'envoy' });
    const partial = await certgen();
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/envoy-gateway, envoy-rate-limit exist in eg-system but envoy do not/);
    expect(partial.stderr).toMatch(/--overwrite/);
    expect((await certgen('--overwrite')).stdout).toBe(
      'secret/envoy-gateway updated\nsecret/envoy created\nsecret/envoy-rate-limit updated\n',
    );
    expect(await decoded('envoy', 'ca.crt')).toBe(await decoded('envoy-gateway', 'ca.crt'));
  });

  it('takes either --out-dir or --kubernetes', async () => {
    const both = spawnSync(process.execPath, [MAIN, 'x', 'certgen', '--kubernetes', '--out-dir', dir], {
      encoding: 'utf8',
    });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/either --out-dir DIR or --kubernetes/);
  });
});
