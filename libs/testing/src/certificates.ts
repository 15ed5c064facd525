import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PEM certificate with its key. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** A throwaway certificate authority for one test file; node:crypto cannot issue X.509, so `openssl` does. */
export interface TestCA extends CertificatePair {
  /** Issues a server certificate for `dnsNames` (the first is also the subject CN); an EC P-256 key by default. */
  issue(dnsNames: readonly string[], keyType?: 'ec' | 'rsa'): Promise<CertificatePair>;
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-certs-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const RSA_KEY = ['-newkey', 'rsa:2048', '-nodes'];

export async function createTestCA(commonName = 'eg-test-ca'): Promise<TestCA> {
  const ca = await withTempDir(async (dir) => {
    const [key, cert] = [join(dir, 'ca.key'), join(dir, 'ca.crt')];
    await run('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  });
  const issue = (dnsNames: readonly string[], keyType: 'ec' | 'rsa' = 'ec'): Promise<CertificatePair> =>
    withTempDir(async (dir) => {
      const file = (name: string) => join(dir, name);
      await writeFile(file('ca.key'), ca.key);
      await writeFile(file('ca.crt'), ca.cert);
      await writeFile(file('ext.cnf'), `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}\n`);
      await run('openssl', [
        'req',
        ...(keyType === 'rsa' ? RSA_KEY : EC_KEY),
        '-keyout',
        file('tls.key'),
        '-out',
        file('tls.csr'),
        '-subj',
        `/CN=${dnsNames[0] ?? 'localhost'}`,
      ]);
      await run('openssl', [
        'x509',
        '-req',
        '-in',
        file('tls.csr'),
        '-CA',
        file('ca.crt'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file('tls.crt'),
        '-days',
        '2',
        '-extfile',
        file('ext.cnf'),
      ]);
      return { key: await readFile(file('tls.key'), 'utf8'), cert: await readFile(file('tls.crt'), 'utf8') };
    });
  return { ...ca, issue };
}

/** A `kubernetes.io/tls` Secret holding `pair`, as YAML. */
export function tlsSecretYAML(namespace: string, name: string, pair: CertificatePair): string {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'kind: Secret',
    `metadata: { name: ${name}, namespace: ${namespace} }`,
    'type: kubernetes.io/tls',
    'data:',
    `  tls.crt: ${b64(pair.cert)}`,
    `  tls.key: ${b64(pair.key)}`,
    '',
  ].join('\n');
}

/** A ConfigMap holding `pem` under `ca.crt` (where BackendTLSPolicy and Gateway client validation read CAs), as YAML. */
export function caConfigMapYAML(namespace: string, name: string, pem: string): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    `metadata: { name: ${name}, namespace: ${namespace} }`,
    'data:',
    '  ca.crt: |',
    ...pem
      .trim()
      .split('\n')
      .map((line) => `    ${line}`),
    '',
  ].join('\n');
}
