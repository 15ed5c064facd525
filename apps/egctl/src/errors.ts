/** Bad flags or arguments: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Input that cannot be read or does not validate: exit code 1. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  /** One line per problem, for stderr. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.problems = problems;
  }
}

/** Creating certificates failed (e.g. no `openssl` on PATH): exit code 1. */
export class CertgenError extends Error {
  override readonly name = 'CertgenError';
}

/** An admin API (Envoy's or an xds-server's) could not be read: exit code 1. */
export class EnvoyAdminError extends Error {
  override readonly name = 'EnvoyAdminError';
}
