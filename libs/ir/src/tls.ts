/** Downstream TLS of a listener that terminates TLS. */

/** One certificate chain and its key (PEM), from a `kubernetes.io/tls` Secret. */
export interface TLSCertificate {
  /** `<secret namespace>/<secret name>`; also the Envoy SDS secret name. */
  readonly name: string;
  readonly certificateChain: string;
  readonly privateKey: string;
}

export interface TLSTerminate {
  /** At least one; Envoy picks the one matching the client's SNI and key type. */
  readonly certificates: readonly TLSCertificate[];
  /** Clients are asked for a certificate signed by one of these CAs (Gateway `spec.tls.frontend`). */
  readonly clientValidation?: ClientValidation;
}

export interface ClientValidation {
  /** PEM CA certificates. */
  readonly caCertificates: string;
  /**
   * `AllowInsecureFallback`: a client without a certificate, or with one these CAs did not sign, is let in too;
   * otherwise such a client fails the handshake.
   */
  readonly insecureFallback: boolean;
}
