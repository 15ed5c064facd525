import type { TLSCertificate, UpstreamTLS } from '@eg/ir';
import { anyType, type ProtoJson } from './encode.ts';
import { UPSTREAM_TLS_CONTEXT } from './extension-types.ts';

/** Where Envoy finds the machine's public CAs (`wellKnownCACertificates: System`). */
export const SYSTEM_TRUST_STORE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The cluster's TLS transport socket for a backend behind a BackendTLSPolicy: SNI, the CA to trust, and the names
 * the certificate must carry (the SNI hostname unless subject alt names are listed). HTTP/2 backends (gRPC)
 * offer `h2` in ALPN, which some TLS servers (grpc-go among them) insist on before they speak HTTP/2. The
 * Gateway's client certificate, when it has one, comes over SDS like the listeners' certificates.
 */
export function upstreamTLSSocket(tls: UpstreamTLS, http2: boolean, clientCertificate?: TLSCertificate): ProtoJson {
  const names =
    tls.subjectAltNames.length > 0 ? tls.subjectAltNames : [{ type: 'Hostname' as const, hostname: tls.sni }];
  return {
    name: 'envoy.transport_sockets.tls',
    typedConfig: {
      '@type': anyType(UPSTREAM_TLS_CONTEXT),
      sni: tls.sni,
      commonTlsContext: {
        ...(http2 && { alpnProtocols: ['h2'] }),
        ...(clientCertificate && {
          tlsCertificateSdsSecretConfigs: [
            { name: clientCertificate.name, sdsConfig: { ads: {}, resourceApiVersion: 'V3' } },
          ],
        }),
        validationContext: {
          trustedCa: tls.trust.type === 'Inline' ? { inlineString: tls.trust.pem } : { filename: SYSTEM_TRUST_STORE },
          matchTypedSubjectAltNames: names.map((n) =>
            n.type === 'Hostname'
              ? { sanType: 'DNS', matcher: { exact: n.hostname } }
              : { sanType: 'URI', matcher: { exact: n.uri } },
          ),
        },
      },
    },
  };
}
