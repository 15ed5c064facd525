import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import { XdsServerStartError } from './errors.ts';

/** Files of one certgen folder (Envoy Gateway's Secret layout). */
const TLS_FILES = { certificate: 'tls.crt', privateKey: 'tls.key', ca: 'ca.crt' } as const;

const DEFAULT_REFRESH_MS = 10_000;

interface TlsMaterial {
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  readonly ca: Buffer;
}

/** The files of `dir`, checked: certificates parse and the key belongs to the certificate. */
async function readMaterial(dir: string): Promise<TlsMaterial> {
  const [certificate, privateKey, ca] = await Promise.all(
    [TLS_FILES.certificate, TLS_FILES.privateKey, TLS_FILES.ca].map((f) => readFile(join(dir, f))),
  );
  new X509Certificate(ca!);
  if (!new X509Certificate(certificate!).checkPrivateKey(createPrivateKey(privateKey!))) {
    throw new Error(`${TLS_FILES.privateKey} does not belong to ${TLS_FILES.certificate}`);
  }
  return { certificate: certificate!, privateKey: privateKey!, ca: ca! };
}

/**
 * Serves the certificates of a folder to grpc-js and re-reads them every `refreshMs`. A rotation swaps the
 * files one by one; a reading that catches the key of one certificate with another is skipped until the next.
 */
class CertificateFolder implements experimental.CertificateProvider {
  private material: TlsMaterial;
  private readonly dir: string;
  private readonly refreshMs: number;
  private readonly caListeners = new Set<experimental.CaCertificateUpdateListener>();
  private readonly identityListeners = new Set<experimental.IdentityCertificateUpdateListener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(dir: string, material: TlsMaterial, refreshMs: number) {
    this.dir = dir;
    this.material = material;
    this.refreshMs = refreshMs;
  }

  addCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    // Asynchronously, as grpc-js registers its watcher only after adding the listener.
    queueMicrotask(() => listener({ caCertificate: this.material.ca }));
    this.watch();
  }

  removeCaCertificateListener(listener: experimental.CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
    this.watch();
  }

  addIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => listener({ certificate: this.material.certificate, privateKey: this.material.privateKey }));
    this.watch();
  }

  removeIdentityCertificateListener(listener: experimental.IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
    this.watch();
  }

  /** Reads the folder while anyone listens (the server is bound). */
  private watch(): void {
    const listening = this.caListeners.size + this.identityListeners.size > 0;
    if (listening && !this.timer) this.timer = setInterval(() => void this.refresh(), this.refreshMs).unref();
    if (!listening && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async refresh(): Promise<void> {
    let next: TlsMaterial;
    try {
      next = await readMaterial(this.dir);
    } catch {
      return; // mid-rotation or briefly missing: keep serving the current certificate
    }
    const before = this.material;
    this.material = next;
    if (!next.ca.equals(before.ca)) for (const l of this.caListeners) l({ caCertificate: next.ca });
    if (!next.certificate.equals(before.certificate) || !next.privateKey.equals(before.privateKey)) {
      for (const l of this.identityListeners) l({ certificate: next.certificate, privateKey: next.privateKey });
    }
  }
}

/**
 * mTLS credentials from a certgen folder (`tls.crt`, `tls.key`, `ca.crt`), re-read every `refreshMs`: a rotated
 * certificate applies to new handshakes while open ADS streams keep their connection. Clients must present a
 * certificate of the CA. The files are checked up front, so a wrong folder fails the start naming the problem.
 */
export async function watchedServerCredentials(
  dir: string,
  refreshMs = DEFAULT_REFRESH_MS,
): Promise<ServerCredentials> {
  let material: TlsMaterial;
  try {
    material = await readMaterial(dir);
  } catch (err) {
    throw new XdsServerStartError(`--tls-dir ${dir}: cannot use its ${Object.values(TLS_FILES).join(', ')}`, {
      cause: err,
    });
  }
  const folder = new CertificateFolder(dir, material, refreshMs);
  // One provider serves both the identity and the CA, so the order of grpc-js' arguments does not matter.
  return experimental.createCertificateProviderServerCredentials(folder, folder, true);
}
