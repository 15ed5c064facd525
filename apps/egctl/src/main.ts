import { CERTGEN_USAGE, runCertgen } from './certgen-command.ts';
import { CertgenError, InvalidInputError, UsageError } from './errors.ts';
import { runTranslate, TRANSLATE_USAGE } from './translate-command.ts';

const USAGE = `Usage: egctl x translate -f FILE [options]   (egctl x translate --help for details)
       egctl x certgen --out-dir DIR [options]`;

/** egctl: offline tools over the same libraries the services use. Exit codes: 0 ok, 1 invalid input, 2 usage. */
async function main(argv: readonly string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if ((group === 'x' || group === 'experimental') && command === 'translate') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${TRANSLATE_USAGE}\n`);
      return 0;
    }
    const stdout = await runTranslate(rest, (line) => process.stderr.write(`egctl: note: ${line}\n`));
    process.stdout.write(stdout);
    return 0;
  }
  if ((group === 'x' || group === 'experimental') && command === 'certgen') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${CERTGEN_USAGE}\n`);
      return 0;
    }
    process.stdout.write(await runCertgen(rest));
    return 0;
  }
  throw new UsageError(group === undefined ? 'a command is required' : `unknown command: ${argv.join(' ')}`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`egctl: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (err instanceof InvalidInputError) {
    process.stderr.write(`egctl: ${err.message}\n`);
    for (const problem of err.problems) process.stderr.write(`  ${problem}\n`);
    process.exitCode = 1;
  } else if (err instanceof CertgenError) {
    process.stderr.write(
      `egctl: ${err.message}: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}\n`,
    );
    process.exitCode = 1;
  } else {
    throw err;
  }
}
