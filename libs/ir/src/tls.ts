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
}
