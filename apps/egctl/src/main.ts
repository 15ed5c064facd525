import { CERTGEN_USAGE, runCertgen } from './certgen-command.ts';
import { ENVOY_CONFIG_USAGE, runEnvoyConfig } from './envoy-config-command.ts';
import { CertgenError, EnvoyAdminError, InvalidInputError, UsageError } from './errors.ts';
import { PROXY_STATUS_USAGE, runProxyStatus } from './proxy-status-command.ts';
import { runTranslate, TRANSLATE_USAGE } from './translate-command.ts';

const USAGE = `Usage: egctl x translate -f FILE [options]   (egctl x translate --help for details)
       egctl x certgen --out-dir DIR [options]
       egctl x proxy-status --xds-admin HOST:PORT[,...]
       egctl config envoy-proxy all|listener|route|cluster|endpoint --admin HOST:PORT | --state-file FILE`;

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
  const experimental = group === 'x' || group === 'experimental';
  const simple: readonly (readonly [boolean, string, (args: readonly string[]) => Promise<string>])[] = [
    [experimental && command === 'certgen', CERTGEN_USAGE, runCertgen],
    [experimental && command === 'proxy-status', PROXY_STATUS_USAGE, runProxyStatus],
    [group === 'config' && command === 'envoy-proxy', ENVOY_CONFIG_USAGE, runEnvoyConfig],
  ];
  for (const [matches, usage, run] of simple) {
    if (!matches) continue;
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    process.stdout.write(await run(rest));
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
  } else if (err instanceof CertgenError || err instanceof EnvoyAdminError) {
    process.stderr.write(
      `egctl: ${err.message}: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}\n`,
    );
    process.exitCode = 1;
  } else {
    throw err;
  }
}
