import { join } from 'node:path';
import { experimental, type ServerCredentials } from '@grpc/grpc-js';

/** Files of one certgen folder (Envoy Gateway's Secret layout). */
const TLS_FILES = { certificate: 'tls.crt', privateKey: 'tls.key', ca: 'ca.crt' } as const;

const DEFAULT_REFRESH_MS = 10_000;

/**
 * mTLS credentials read from `dir` and re-read every `refreshMs`: a rotated certificate applies to new
 * handshakes while open ADS streams keep their connection. Clients must present a certificate of the CA.
 */
export function watchedServerCredentials(dir: string, refreshMs = DEFAULT_REFRESH_MS): ServerCredentials {
  const provider = new experimental.FileWatcherCertificateProvider({
    certificateFile: join(dir, TLS_FILES.certificate),
    privateKeyFile: join(dir, TLS_FILES.privateKey),
    caCertificateFile: join(dir, TLS_FILES.ca),
    refreshIntervalMs: refreshMs,
  });
  // One provider serves both the identity and the CA, so the order of grpc-js' arguments does not matter.
  return experimental.createCertificateProviderServerCredentials(provider, provider, true);
}
