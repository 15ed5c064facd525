import type { ClientValidation, TLSCertificate, TLSTerminate } from '@eg/ir';
import { anyType, type ProtoJson } from './encode.ts';
import { DOWNSTREAM_TLS_CONTEXT } from './extension-types.ts';

/**
 * TLS termination; HTTPS offers ALPN (h2, http/1.1), a TCP proxy none, as it cannot speak for the backend.
 * Certificates travel as SDS Secrets over the same ADS stream and listeners name them, so a renewed
 * certificate updates one Secret without rebuilding (and draining) the listener.
 */
export function downstreamTransportSocket(tls: TLSTerminate, alpnProtocols: readonly string[] = []): ProtoJson {
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': anyType(DOWNSTREAM_TLS_CONTEXT),
      commonTlsContext: {
        tlsCertificateSdsSecretConfigs: tls.certificates.map((c) => ({
          name: c.name,
          sdsConfig: { ads: {}, resourceApiVersion: 'V3' },
        })),
        ...(alpnProtocols.length > 0 && { alpnProtocols }),
        ...(tls.clientValidation && { validationContext: clientValidationContext(tls.clientValidation) }),
      },
      ...(tls.clientValidation && { requireClientCertificate: !tls.clientValidation.insecureFallback }),
    },
  };
}

/** Asks clients for a certificate and checks it against the CAs; with the fallback, an untrusted one passes too. */
function clientValidationContext(validation: ClientValidation): ProtoJson {
  return {
    trustedCa: { inlineString: validation.caCertificates },
    ...(validation.insecureFallback && { trustChainVerification: 'ACCEPT_UNTRUSTED' }),
  };
}

export function tlsCertificateSecret(certificate: TLSCertificate): ProtoJson {
  return {
    name: certificate.name,
    tlsCertificate: {
      certificateChain: { inlineString: certificate.certificateChain },
      privateKey: { inlineString: certificate.privateKey },
    },
  };
}
