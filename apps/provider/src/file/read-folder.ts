import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const RESOURCE_FILE = /\.(ya?ml|json)$/;

/** Files the provider reads from a folder: YAML/JSON, not hidden, not editor backups; not recursive (as Envoy Gateway). */
export function isResourceFile(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('~') && RESOURCE_FILE.test(name);
}

/** Reads every resource file of the folder; a file that vanishes between listing and reading is skipped. */
export async function readFolder(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter(isResourceFile).sort();
  const files = new Map<string, string>();
  for (const name of names) {
    try {
      files.set(name, await readFile(join(dir, name), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return files;
}
