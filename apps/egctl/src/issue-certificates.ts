import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_NAMESPACE } from '@eg/ir';
import { CertgenError } from './errors.ts';

const run = promisify(execFile);

/** One certificate of the layout: the Secret (folder) name and the DNS names it is valid for. */
interface Leaf {
  readonly name: string;
  readonly dnsNames: readonly string[];
}

function leaves(namespace: string, domain: string): Leaf[] {
  const service = (name: string) => [
    name,
    `${name}.${namespace}`,
    `${name}.${namespace}.svc`,
    `${name}.${namespace}.svc.${domain}`,
  ];
  return [
    // Envoy dials the xds-server with SNI `envoy-gateway`.
    { name: 'envoy-gateway', dnsNames: service('envoy-gateway') },
    { name: 'envoy', dnsNames: [`*.${namespace}`, `*.${namespace}.svc.${domain}`, 'envoy'] },
    { name: 'envoy-rate-limit', dnsNames: service('envoy-rate-limit') },
  ];
}

export interface CertgenOptions {
  readonly outDir: string;
  readonly namespace?: string;
  readonly clusterDomain?: string;
  readonly days?: number;
}

/** Writes (or re-issues) the CA and certificates with the `openssl` CLI. */
export async function generateCertificates(opts: CertgenOptions): Promise<string[]> {
  const days = opts.days ?? 365;
  const caDir = join(opts.outDir, 'ca');
  await mkdir(caDir, { recursive: true });
  const caKey = join(caDir, 'ca.key');
  const caCert = join(caDir, 'ca.crt');
  if (!(await exists(caKey)) || !(await exists(caCert))) {
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      caKey,
      '-out',
      caCert,
      '-days',
      String(days * 10),
      '-subj',
      '/CN=envoy-gateway-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  const written: string[] = [];
  for (const leaf of leaves(opts.namespace ?? DEFAULT_NAMESPACE, opts.clusterDomain ?? 'cluster.local')) {
    const work = await mkdtemp(join(opts.outDir, `.${leaf.name}-`));
    try {
      const ext = join(work, 'ext.cnf');
      await writeFile(
        ext,
        [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth,clientAuth',
          `subjectAltName=${leaf.dnsNames.map((n) => `DNS:${n}`).join(',')}`,
        ].join('\n'),
      );
      await openssl([
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(work, 'tls.key'),
        '-out',
        join(work, 'tls.csr'),
        '-subj',
        `/CN=${leaf.name}`,
      ]);
      await openssl([
        'x509',
        '-req',
        '-in',
        join(work, 'tls.csr'),
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        `0x${randomSerial()}`,
        '-days',
        String(days),
        '-extfile',
        ext,
        '-out',
        join(work, 'tls.crt'),
      ]);
      const dir = join(opts.outDir, leaf.name);
      await mkdir(dir, { recursive: true });
      // Key and CA first, certificate last: a reader that sees the new certificate also finds its key.
      await copyFile(caCert, join(work, 'ca.crt'));
      for (const file of ['tls.key', 'ca.crt', 'tls.crt']) await rename(join(work, file), join(dir, file));
      written.push(dir);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return written;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args]);
  } catch (err) {
    throw new CertgenError(`openssl ${args[0]} failed`, { cause: err });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** 128 random bits with the top bit clear, so the serial stays a positive integer. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
