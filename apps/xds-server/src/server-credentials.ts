import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import { XdsServerStartError } from './errors.ts';

/** Files of one certgen folder (Envoy Gateway's Secret layout). */
const TLS_FILES = { certificate: 'tls.crt', privateKey: 'tls.key', ca: 'ca.crt' } as const;

const DEFAULT_REFRESH_MS = 10_000;

/**
 * mTLS credentials read from `dir` and re-read every `refreshMs`: a rotated certificate applies to new
 * handshakes while open ADS streams keep their connection. Clients must present a certificate of the CA.
 * The files are checked once up front, so a wrong folder fails the start with the file's name.
 */
export async function watchedServerCredentials(
  dir: string,
  refreshMs = DEFAULT_REFRESH_MS,
): Promise<ServerCredentials> {
  const path = (file: string): string => join(dir, file);
  await check(path(TLS_FILES.certificate), (pem) => new X509Certificate(pem));
  await check(path(TLS_FILES.ca), (pem) => new X509Certificate(pem));
  await check(path(TLS_FILES.privateKey), (pem) => createPrivateKey(pem));
  const provider = new experimental.FileWatcherCertificateProvider({
    certificateFile: path(TLS_FILES.certificate),
    privateKeyFile: path(TLS_FILES.privateKey),
    caCertificateFile: path(TLS_FILES.ca),
    refreshIntervalMs: refreshMs,
  });
  // One provider serves both the identity and the CA, so the order of grpc-js' arguments does not matter.
  return experimental.createCertificateProviderServerCredentials(provider, provider, true);
}

async function check(file: string, parse: (pem: Buffer) => unknown): Promise<void> {
  try {
    parse(await readFile(file));
  } catch (err) {
    throw new XdsServerStartError(`--tls-dir: cannot use ${file}`, { cause: err });
  }
}
