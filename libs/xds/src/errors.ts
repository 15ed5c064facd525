/** The Envoy .proto files could not be found or parsed. */
export class EnvoyProtoLoadError extends Error {
  override readonly name = 'EnvoyProtoLoadError';
}

/** A resource built by the translator does not fit its Envoy message type (a bug in the translator). */
export class XdsEncodeError extends Error {
  override readonly name = 'XdsEncodeError';
}

/** Bytes from the wire do not hold the discovery message they should. */
export class DiscoveryDecodeError extends Error {
  override readonly name = 'DiscoveryDecodeError';
}
