import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { CertgenError, UsageError } from './errors.ts';

export const CERTGEN_USAGE = `Usage: egctl x certgen --out-dir DIR [--namespace NS] [--cluster-domain DOMAIN] [--days N]

Creates the CA and the mTLS certificates between Envoy, the xds-server and the rate-limit service, in
Envoy Gateway's layout: DIR/{envoy-gateway,envoy,envoy-rate-limit}/{ca.crt,tls.crt,tls.key}. The CA key
stays in DIR/ca/ca.key; running the command again re-issues every certificate from the same CA, so a
rotation never breaks trust. Files are replaced atomically, so watchers never read half a file.
  --namespace NS            where the control plane runs (default envoy-gateway-system)
  --cluster-domain DOMAIN   default cluster.local
  --days N                  validity of the certificates (default 365; the CA gets ten times as long)`;

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
  for (const leaf of leaves(opts.namespace ?? 'envoy-gateway-system', opts.clusterDomain ?? 'cluster.local')) {
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

export async function runCertgen(args: readonly string[]): Promise<string> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        'out-dir': { type: 'string' },
        namespace: { type: 'string' },
        'cluster-domain': { type: 'string' },
        days: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const outDir = values['out-dir'];
  if (!outDir) throw new UsageError('--out-dir DIR is required');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    throw new UsageError('--days must be a positive integer');
  const written = await generateCertificates({
    outDir,
    ...(values.namespace && { namespace: values.namespace }),
    ...(values['cluster-domain'] && { clusterDomain: values['cluster-domain'] }),
    ...(days && { days }),
  });
  return written.map((dir) => `${dir}\n`).join('');
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
