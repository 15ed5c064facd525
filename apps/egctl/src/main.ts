import { CERTGEN_USAGE, runCertgen } from './certgen-command.ts';
import { CONFIG_GATEWAY_USAGE, runConfigGateway } from './config-gateway-command.ts';
import { ENVOY_CONFIG_USAGE, runEnvoyConfig } from './envoy-config-command.ts';
import { CertgenError, EnvoyAdminError, InvalidInputError, UsageError } from './errors.ts';
import { PROXY_STATUS_USAGE, runProxyStatus } from './proxy-status-command.ts';
import { runStatus, STATUS_USAGE } from './status-command.ts';
import { runTranslate, TRANSLATE_USAGE } from './translate-command.ts';
import { runValidate, VALIDATE_USAGE } from './validate-command.ts';
import { runVersion, VERSION_USAGE } from './version-command.ts';

const USAGE = `Usage: egctl COMMAND [options]   (egctl COMMAND --help for details)
  x translate -f FILE              translate resources offline
  x validate -f FILE               validate resource files offline
  x status [KIND]                  resources and their status conditions, from the control plane
  x certgen --out-dir DIR          CA and certificates for mTLS between Envoy and the xds-server
  x proxy-status --xds-admin ADDR  SYNCED / STALE / NACKED per Envoy and type, from the xds-servers
  config envoy-proxy SECTION       an Envoy's config dump: all|listener|route|cluster|endpoint
  config envoy-gateway             what the running control-plane services are configured with
  version                          egctl's version`;

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
  if (group === 'version') return run(argv.slice(1), VERSION_USAGE, () => runVersion(argv.slice(1)));
  if (group === 'config' && command === 'envoy-gateway') {
    return run(rest, CONFIG_GATEWAY_USAGE, () => runConfigGateway(rest));
  }
  if (group === 'config' && command === 'envoy-proxy') return run(rest, ENVOY_CONFIG_USAGE, () => runEnvoyConfig(rest));
  if (!experimental) {
    throw new UsageError(group === undefined ? 'a command is required' : `unknown command: ${argv.join(' ')}`);
  }
  switch (command) {
    case 'translate':
      return run(rest, TRANSLATE_USAGE, () => runTranslate(rest, note));
    case 'validate':
      return run(rest, VALIDATE_USAGE, () => runValidate(rest, note));
    case 'status':
      return run(rest, STATUS_USAGE, () => runStatus(rest));
    case 'certgen':
      return run(rest, CERTGEN_USAGE, () => runCertgen(rest));
    case 'proxy-status':
      return run(rest, PROXY_STATUS_USAGE, () => runProxyStatus(rest));
    default:
      throw new UsageError(`unknown command: ${argv.join(' ')}`);
  }
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
