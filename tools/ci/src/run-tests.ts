/**
 * Runs every project's typecheck and tests through nx, passing its output through, and on failure
 * repeats the failed tasks and their failure reports at the end, where a truncated CI log still shows them.
 */
import { spawn } from 'node:child_process';
import { failureSummary } from './failure-summary.ts';

const nxArgs = ['run-many', '-t', 'typecheck', 'test', '--parallel=1', '--outputStyle=stream'];

// Extra arguments go to nx, e.g. `--projects=@eg/scenarios`.
const child = spawn('nx', [...nxArgs, ...process.argv.slice(2)], { stdio: ['inherit', 'pipe', 'pipe'] });
const chunks: Buffer[] = [];
child.stdout.on('data', (chunk: Buffer) => {
  chunks.push(chunk);
  process.stdout.write(chunk);
});
child.stderr.on('data', (chunk: Buffer) => {
  chunks.push(chunk);
  process.stderr.write(chunk);
});
child.on('close', (code, signal) => {
  const exitCode = code ?? (signal ? 1 : 0);
  if (exitCode !== 0) {
    const summary = failureSummary(Buffer.concat(chunks).toString('utf8'));
    if (summary) process.stdout.write(`\n==== Failures, repeated from above ====\n${summary}\n`);
  }
  process.exitCode = exitCode;
});
