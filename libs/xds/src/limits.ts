/** Envoy Gateway's per-connection buffer limit, for listeners and clusters alike. */
export const BUFFER_LIMIT_BYTES = 32768;
