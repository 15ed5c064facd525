import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine } from './lib/machine.ts';

// npm run bench [-- NAME ...]: runs every tools/bench/<name>/main.ts in name order (or only those named),
// each in its own Node process so one's heap and JIT state do not colour the next.
const root = import.meta.dirname;
const all = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'main.ts')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown ${unknown.join(', ')}; available: ${all.join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`${describeMachine()}\n\n`);
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  process.stdout.write(`## ${name}\n\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(root, name, 'main.ts')], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${name} failed (exit ${String(result.status ?? result.signal)})\n`);
  }
  process.stdout.write('\n');
}
process.exit(failed > 0 ? 1 : 0);
