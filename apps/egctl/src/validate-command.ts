import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeResource, loadResources, type LoadError, type Resource } from '@eg/gatewayapi';
import { InvalidInputError, UsageError } from './errors.ts';

export const VALIDATE_USAGE = `Usage: egctl x validate -f FILE [-f FILE ...]

Checks resource files offline, with the checks and messages of the provider that serves them (schema,
field formats, duplicates). Exit code 0 when every document is valid, 1 otherwise.`;

/** Runs `egctl x validate`; returns the summary to print, or throws InvalidInputError listing every problem. */
export async function runValidate(args: readonly string[], note: (line: string) => void): Promise<string> {
  let files: string[];
  try {
    files =
      parseArgs({ args: [...args], options: { file: { type: 'string', short: 'f', multiple: true } } }).values.file ??
      [];
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (files.length === 0) throw new UsageError('-f FILE is required');
  const errors: LoadError[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  let count = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const loaded = loadResources(text, file);
    for (const n of loaded.notices) note(`${n.file}:${n.line}: ${n.message}`);
    errors.push(...loaded.errors);
    for (const resource of loaded.resources) {
      count++;
      const id = identity(resource);
      // The provider's wording: the first file (in name order there) keeps the object.
      if (seen.has(id)) problems.push(`${file}: ${describeResource(resource)} is already defined in another file`);
      else seen.set(id, file);
    }
  }
  problems.unshift(...errors.map((e) => e.message));
  if (problems.length > 0) throw new InvalidInputError(`${problems.length} problem(s) found`, problems);
  return `${count} resource(s) in ${files.length} file(s) are valid\n`;
}

function identity(r: Resource): string {
  return `${r.kind}/${'namespace' in r.metadata ? r.metadata.namespace : ''}/${r.metadata.name}`;
}
