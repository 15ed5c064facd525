import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** One line naming the machine a table was measured on. */
export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  let os = `${process.platform} ${process.arch}`;
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty} ${process.arch}`;
  } catch {
    // Not Linux: the platform name will do.
  }
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `Machine: ${cores.length} cores (${model}), ${gib} GiB RAM, ${os}, Node.js ${process.version}`;
}
