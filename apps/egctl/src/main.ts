import { CONFIG_GATEWAY_USAGE, runConfigGateway } from './config-gateway-command.ts';
import { InvalidInputError, UsageError } from './errors.ts';
import { runStatus, STATUS_USAGE } from './status-command.ts';
import { runTranslate, TRANSLATE_USAGE } from './translate-command.ts';
import { runValidate, VALIDATE_USAGE } from './validate-command.ts';
import { runVersion, VERSION_USAGE } from './version-command.ts';

const USAGE = `Usage: egctl COMMAND [options]   (egctl COMMAND --help for details)
  x translate -f FILE      translate resources offline
  x validate -f FILE       validate resource files offline
  x status [KIND]          resources and their status conditions, from the control plane
  config envoy-gateway     what the running control-plane services are configured with
  version                  egctl's version`;

const note = (line: string): void => void process.stderr.write(`egctl: note: ${line}\n`);

/** Prints a command's help on -h/--help, its output otherwise. */
async function run(args: readonly string[], usage: string, command: () => Promise<string> | string): Promise<number> {
  process.stdout.write(args.includes('--help') || args.includes('-h') ? `${usage}\n` : await command());
  return 0;
}

/** egctl: offline tools over the same libraries the services use. Exit codes: 0 ok, 1 invalid input, 2 usage. */
async function main(argv: readonly string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  const experimental = group === 'x' || group === 'experimental';
  if (group === 'config' && command === 'envoy-gateway') {
    return run(rest, CONFIG_GATEWAY_USAGE, () => runConfigGateway(rest));
  }
  if (group === 'version') return run(argv.slice(1), VERSION_USAGE, () => runVersion(argv.slice(1)));
  if (experimental && command === 'status') return run(rest, STATUS_USAGE, () => runStatus(rest));
  if (experimental && command === 'validate') return run(rest, VALIDATE_USAGE, () => runValidate(rest, note));
  if ((group === 'x' || group === 'experimental') && command === 'translate') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${TRANSLATE_USAGE}\n`);
      return 0;
    }
    const stdout = await runTranslate(rest, (line) => process.stderr.write(`egctl: note: ${line}\n`));
    process.stdout.write(stdout);
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
  } else {
    throw err;
  }
}
