import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ClientValidation, TLSCertificate, TLSTerminate } from '@eg/ir';
import {
  CORE_GROUP,
  GATEWAY_API_GROUP,
  TLS_SECRET_TYPE,
  type Gateway,
  type SecretObjectReference,
} from '../resources.ts';
import { caText, isCertificate } from './backend-tls.ts';
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

export type ClientValidationResolution =
  | { readonly valid: true; readonly validation?: ClientValidation }
  | { readonly valid: false; readonly problem: Problem };

/**
 * The client certificate validation for a TLS listener's port (Gateway `spec.tls.frontend`: the port's own
 * entry, else the default): its CA certificates from ConfigMaps or Secrets (`ca.crt`), across namespaces only
 * with a ReferenceGrant. Any unusable reference fails the listener, which is then not served: it never falls
 * back to accepting clients unchecked.
 */
export function resolveClientValidation(
  gateway: Gateway,
  port: number,
  index: ResourceIndex,
): ClientValidationResolution {
  const frontend = gateway.spec.frontendValidation;
  const perPort = frontend?.perPort.find((p) => p.port === port);
  const validation = perPort ? perPort.validation : frontend?.default;
  if (!validation) return { valid: true };
  const pems: string[] = [];
  for (const ref of validation.caCertificateRefs) {
    const namespace = ref.namespace ?? gateway.metadata.namespace;
    const id = `${ref.kind} ${namespace}/${ref.name}`;
    const fail = (reason: string, message: string): ClientValidationResolution => ({
      valid: false,
      problem: { reason, message },
    });
    if (ref.group !== CORE_GROUP || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')) {
      return fail('InvalidCACertificateKind', `CA certificate ref ${id}: only ConfigMap and Secret are supported`);
    }
    const from = { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
    if (
      !referenceAllowed(index.referenceGrants, from, { group: CORE_GROUP, kind: ref.kind, namespace, name: ref.name })
    ) {
      return fail('RefNotPermitted', `CA certificate ref to ${id} not permitted by any ReferenceGrant`);
    }
    const pem = caText(ref.kind, namespace, ref.name, index);
    if (pem === undefined) return fail('InvalidCACertificateRef', `${id} does not exist`);
    if (!isCertificate(pem)) return fail('InvalidCACertificateRef', `${id}: ca.crt is not a PEM encoded certificate`);
    pems.push(pem.trim());
  }
  return {
    valid: true,
    validation: {
      caCertificates: `${pems.join('\n')}\n`,
      insecureFallback: validation.mode === 'AllowInsecureFallback',
    },
  };
}
