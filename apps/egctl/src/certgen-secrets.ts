import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { generateCertificates, type CertgenOptions } from './issue-certificates.ts';
import { CertgenError } from './errors.ts';

/** The Secrets Envoy Gateway's certgen writes in the controller namespace, and the files each holds. */
export const CERTIFICATE_SECRETS = ['envoy-gateway', 'envoy', 'envoy-rate-limit'] as const;
const FILES = ['ca.crt', 'tls.crt', 'tls.key'] as const;

export type SecretOutcome = 'created' | 'updated' | 'unchanged';

export interface CertificateSecretsOptions extends Omit<CertgenOptions, 'outDir'> {
  readonly kc: KubeConfig;
  readonly namespace: string;
  /** Re-issue every certificate (from a new CA) even when the Secrets exist. */
  readonly overwrite: boolean;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/**
 * `certgen` in Kubernetes: the certificates as TLS Secrets (ca.crt, tls.crt, tls.key) in the controller
 * namespace. Existing Secrets are left alone unless `overwrite`, so a Helm hook can run it on every
 * upgrade. All three come from one CA: a partial set is refused rather than completed from a new CA.
 */
export async function writeCertificateSecrets(opts: CertificateSecretsOptions): Promise<Map<string, SecretOutcome>> {
  const core = opts.kc.makeApiClient(CoreV1Api);
  const existing = new Map<string, V1Secret>();
  for (const name of CERTIFICATE_SECRETS) {
    try {
      existing.set(name, await core.readNamespacedSecret({ namespace: opts.namespace, name }));
    } catch (err) {
      if (!isNotFound(err)) throw new CertgenError(`cannot read Secret ${opts.namespace}/${name}`, { cause: err });
    }
  }
  const outcomes = new Map<string, SecretOutcome>();
  if (!opts.overwrite && existing.size === CERTIFICATE_SECRETS.length) {
    for (const name of CERTIFICATE_SECRETS) outcomes.set(name, 'unchanged');
    return outcomes;
  }
  if (!opts.overwrite && existing.size > 0) {
    const missing = CERTIFICATE_SECRETS.filter((n) => !existing.has(n));
    throw new CertgenError(
      `Secrets ${[...existing.keys()].join(', ')} exist in ${opts.namespace} but ${missing.join(', ')} do not; ` +
        'run with --overwrite to issue all of them from one CA',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'egctl-certgen-'));
  try {
    await generateCertificates({ ...opts, outDir: dir });
    for (const name of CERTIFICATE_SECRETS) {
      const data: Record<string, string> = {};
      for (const file of FILES) data[file] = (await readFile(join(dir, name, file))).toString('base64');
      const body: V1Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: opts.namespace, labels: { 'app.kubernetes.io/managed-by': 'envoy-gateway' } },
        type: 'kubernetes.io/tls',
        data,
      };
      try {
        if (existing.has(name)) {
          await core.replaceNamespacedSecret({ namespace: opts.namespace, name, body });
          outcomes.set(name, 'updated');
        } else {
          await core.createNamespacedSecret({ namespace: opts.namespace, body });
          outcomes.set(name, 'created');
        }
      } catch (err) {
        throw new CertgenError(`cannot write Secret ${opts.namespace}/${name}`, { cause: err });
      }
    }
  } finally {
    // The CA key never leaves this process: the next rotation issues a new CA and replaces every Secret.
    await rm(dir, { recursive: true, force: true });
  }
  return outcomes;
}
