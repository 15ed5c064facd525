import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import { formatData, parseOutputFormat } from './output-format.ts';

export const VERSION_USAGE = `Usage: egctl version [-o yaml|json]

Prints the version of egctl (the control plane's release it belongs to) and of the runtime.`;

const PACKAGE_JSON = join(import.meta.dirname, '../../../package.json');

export function runVersion(args: readonly string[]): string {
  let output: string;
  try {
    output = parseArgs({ args: [...args], options: { output: { type: 'string', short: 'o', default: 'yaml' } } }).values
      .output;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const format = parseOutputFormat(output, ['yaml', 'json']) as 'yaml' | 'json';
  const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string };
  return formatData(
    {
      client: { version: `v${version}`, nodeVersion: process.version, platform: `${process.platform}/${process.arch}` },
    },
    format,
  );
}
