import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { TLSCertificate, TLSTerminate } from '@eg/ir';
import {
  CORE_GROUP,
  GATEWAY_API_GROUP,
  TLS_SECRET_TYPE,
  type Gateway,
  type SecretObjectReference,
} from '../resources.ts';
import type { Problem } from './conditions.ts';
import { referenceAllowed } from './referencegrant.ts';
import type { ResourceIndex } from './resource-index.ts';

export type TLSResolution =
  { readonly valid: true; readonly tls: TLSTerminate } | { readonly valid: false; readonly problem: Problem };

/**
 * Resolves a terminating listener's certificateRefs to PEM pairs. Every ref must resolve: a listener whose
 * certificates are partly wrong is not programmed, so a client never meets a half-configured listener.
 * Parsing the PEM here (pure, no I/O) keeps a bad certificate from reaching Envoy, which would reject the
 * whole listener and every other listener on its port.
 */
export function resolveListenerTLS(
  gateway: Gateway,
  certificateRefs: readonly SecretObjectReference[],
  index: ResourceIndex,
): TLSResolution {
  if (certificateRefs.length === 0) {
    return { valid: false, problem: { reason: 'InvalidCertificateRef', message: 'No certificateRefs are set' } };
  }
  const certificates: TLSCertificate[] = [];
  for (const ref of certificateRefs) {
    const namespace = ref.namespace ?? gateway.metadata.namespace;
    const id = `${namespace}/${ref.name}`;
    const invalid = (message: string): TLSResolution => ({
      valid: false,
      problem: { reason: 'InvalidCertificateRef', message },
    });
    if (ref.group !== CORE_GROUP || ref.kind !== 'Secret') {
      return invalid(
        `Unsupported reference ${ref.group === CORE_GROUP ? '' : `${ref.group}/`}${ref.kind} ${id}, only core Secrets are supported`,
      );
    }
    const from = { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
    const to = { group: CORE_GROUP, kind: 'Secret', namespace, name: ref.name };
    if (!referenceAllowed(index.referenceGrants, from, to)) {
      return {
        valid: false,
        problem: {
          reason: 'RefNotPermitted',
          message: `Certificate ref to secret ${id} not permitted by any ReferenceGrant`,
        },
      };
    }
    const secret = index.secret(namespace, ref.name);
    if (!secret) return invalid(`Secret ${id} does not exist`);
    if (secret.type !== TLS_SECRET_TYPE) return invalid(`Secret ${id} must be of type ${TLS_SECRET_TYPE}`);
    const chain = secret.data['tls.crt'];
    const key = secret.data['tls.key'];
    if (chain === undefined || key === undefined) return invalid(`Secret ${id} must contain tls.crt and tls.key`);
    const certificate = { name: id, certificateChain: fromBase64(chain), privateKey: fromBase64(key) };
    const problem = pemProblem(certificate);
    if (problem) return invalid(`Secret ${id}: ${problem}`);
    certificates.push(certificate);
  }
  return { valid: true, tls: { certificates } };
}

function fromBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Why Envoy would refuse the pair, or undefined when it is a certificate with its own key. */
function pemProblem({ certificateChain, privateKey }: TLSCertificate): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificateChain);
  } catch {
    return 'tls.crt is not a PEM encoded certificate';
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(privateKey))) return 'tls.key does not match tls.crt';
  } catch {
    return 'tls.key is not a PEM encoded private key';
  }
  return undefined;
}
