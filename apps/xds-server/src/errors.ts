/** Envoy broke the xDS protocol on a stream (e.g. no node on the first request); the stream is ended. */
export class XdsProtocolError extends Error {
  override readonly name = 'XdsProtocolError';
}

/** The xds-server could not bind its port. */
export class XdsServerStartError extends Error {
  override readonly name = 'XdsServerStartError';
}

/** A command-line setting the xds-server cannot use. */
export class XdsServerConfigError extends Error {
  override readonly name = 'XdsServerConfigError';
}
