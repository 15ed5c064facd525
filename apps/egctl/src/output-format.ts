import { stringify } from 'yaml';
import { UsageError } from './errors.ts';

export type OutputFormat = 'yaml' | 'json' | 'table';

export function parseOutputFormat(text: string, allowed: readonly OutputFormat[]): OutputFormat {
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`-o must be ${allowed.join(', ')}`);
  return text as OutputFormat;
}

/** Data as YAML or indented JSON, ending with a newline. */
export function formatData(data: unknown, format: 'yaml' | 'json'): string {
  return format === 'json'
    ? `${JSON.stringify(data, null, 2)}\n`
    : stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Columns padded to their widest cell, as kubectl prints them. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3)))
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
