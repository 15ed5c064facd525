/**
 * How Envoy treats the clients of one HTTP listener (Envoy Gateway's ClientTrafficPolicy). Each field is
 * absent where the policy leaves Envoy Gateway's default.
 */
export interface ClientTrafficSettings {
  /** X-Forwarded-For entries set by trusted proxies in front of Envoy; the client address is the next one. */
  readonly xffNumTrustedHops?: number;
  /** Envoy adds its x-envoy-* headers (Envoy Gateway leaves them out by default). */
  readonly enableEnvoyHeaders?: true;
  readonly withUnderscoresAction?: 'Allow' | 'RejectRequest' | 'DropHeader';
  /** What Envoy does with the client's x-request-id (Envoy Gateway's default is Generate). */
  readonly requestID?: 'PreserveOrGenerate' | 'Preserve' | 'Generate' | 'Disable';
  /** False when `path.disableMergeSlashes` is set. */
  readonly mergeSlashes?: false;
  readonly escapedSlashesAction?: 'KeepUnchanged' | 'RejectRequest' | 'UnescapeAndRedirect' | 'UnescapeAndForward';
  /** The whole request must have arrived within this long. */
  readonly requestReceivedTimeoutMs?: number;
  /** A connection without streams is closed after this long. */
  readonly idleTimeoutMs?: number;
  /** A stream without activity is reset after this long. */
  readonly streamIdleTimeoutMs?: number;
  /** Envoy answers this path itself (200, or 503 while draining), for load balancer health checks. */
  readonly healthCheckPath?: string;
}
