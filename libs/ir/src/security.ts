/**
 * Security IR: what a SecurityPolicy asks of the routes it applies to. So far JWT authentication, which libs/xds
 * turns into Envoy's jwt_authn filter (a requirement per policy that each of its routes selects).
 */

export interface RouteSecurity {
  readonly jwt?: RouteJWT;
}

/** A request must carry a JWT that one of the providers accepts. */
export interface RouteJWT {
  /**
   * `<namespace>/<name>` of the SecurityPolicy. Routes of one policy share its providers and requirement, so
   * adding or removing a route does not change the listener's filter (which would drain its connections).
   */
  readonly name: string;
  /** `optional: true`: a request without any JWT passes; a JWT that fails verification is still refused. */
  readonly allowMissing: boolean;
  readonly providers: readonly JWTProvider[];
}

export interface JWTProvider {
  /** Unique within the policy. */
  readonly name: string;
  /** The `iss` claim the JWT must carry; absent: any issuer. */
  readonly issuer?: string;
  /** One of these must be in the `aud` claim; empty: any audience. */
  readonly audiences: readonly string[];
  readonly jwks: JWKSSource;
  /** Claims copied into request headers for the backend (nested claims by dotted path). */
  readonly claimToHeaders: readonly ClaimToHeader[];
  /** Where the JWT is looked for; absent: `Authorization: Bearer` and the `access_token` query parameter. */
  readonly extractFrom?: JWTExtractFrom;
  /** Choose the route again after claimToHeaders changed the headers. */
  readonly recomputeRoute: boolean;
}

export type JWKSSource =
  /** Fetched by Envoy from `uri`, kept for `cacheDurationMs`. */
  | { readonly type: 'Remote'; readonly uri: string; readonly cacheDurationMs: number }
  /** The key set itself, as JSON. */
  | { readonly type: 'Local'; readonly inline: string };

export interface ClaimToHeader {
  readonly header: string;
  readonly claim: string;
}

export interface JWTExtractFrom {
  readonly headers: readonly { readonly name: string; readonly valuePrefix?: string }[];
  readonly cookies: readonly string[];
  readonly params: readonly string[];
}
