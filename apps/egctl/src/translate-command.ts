import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadResources } from '@eg/gatewayapi';
import { stringify } from 'yaml';
import { missingResources } from './add-missing-resources.ts';
import { InvalidInputError, UsageError } from './errors.ts';
import { OUTPUT_TARGETS, translateOutput, type OutputTarget } from './translate-output.ts';

export const TRANSLATE_USAGE = `Usage: egctl x translate -f FILE [--to gateway-api,ir,xds] [-o yaml|json] [--mode standalone|kubernetes]
                          [--add-missing-resources]

Translates Gateway API resources offline, without a control plane.
  -f, --file FILE   resources to translate (multi-document YAML or JSON; "-" reads stdin)
  --to LIST         comma list of gateway-api, ir, xds (default gateway-api,xds)
  -o, --output FMT  yaml (default) or json
  --mode MODE       standalone (default: Envoy on the host, ports as written) or kubernetes
                    (ports below 1024 shifted by 10000 inside Envoy, loopback backends rejected)
  --add-missing-resources
                    make up what the input refers to but lacks: a GatewayClass of this controller for
                    each class a Gateway names, an HTTP Gateway on port 80 for each Gateway a route names`;

interface TranslateArgs {
  readonly file: string;
  readonly targets: ReadonlySet<OutputTarget>;
  readonly format: 'yaml' | 'json';
  readonly runningOnHost: boolean;
  readonly addMissing: boolean;
}

function parseTranslateArgs(args: readonly string[]): TranslateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        file: { type: 'string', short: 'f' },
        to: { type: 'string', default: 'gateway-api,xds' },
        output: { type: 'string', short: 'o', default: 'yaml' },
        mode: { type: 'string', default: 'standalone' },
        'add-missing-resources': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (!values.file) throw new UsageError('-f FILE is required');
  const targets = values.to.split(',').map((t) => t.trim());
  const unknown = targets.filter((t) => !(OUTPUT_TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new UsageError(`--to: unknown target ${unknown.join(', ')}; use ${OUTPUT_TARGETS.join(', ')}`);
  if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError('-o must be yaml or json');
  if (values.mode !== 'standalone' && values.mode !== 'kubernetes') {
    throw new UsageError('--mode must be standalone or kubernetes');
  }
  return {
    file: values.file,
    targets: new Set(targets as OutputTarget[]),
    format: values.output,
    runningOnHost: values.mode === 'standalone',
    addMissing: values['add-missing-resources'],
  };
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidInputError(`cannot read ${file}`, [reason], { cause: err });
  }
}

/** Runs `egctl x translate` and returns what to print on stdout; notices about skipped input go to `note`. */
export async function runTranslate(args: readonly string[], note: (line: string) => void): Promise<string> {
  const options = parseTranslateArgs(args);
  const loaded = loadResources(await readInput(options.file), options.file);
  for (const n of loaded.notices) note(`${n.file}:${n.line}: ${n.message}`);
  if (loaded.errors.length > 0) {
    throw new InvalidInputError(
      `${options.file}: ${loaded.errors.length} invalid resource document(s)`,
      loaded.errors.map((e) => e.message),
    );
  }
  const resources = options.addMissing
    ? [...loaded.resources, ...missingResources(loaded.resources)]
    : loaded.resources;
  const output = translateOutput(resources, options.targets, { runningOnHost: options.runningOnHost });
  return options.format === 'json'
    ? `${JSON.stringify(output, null, 2)}\n`
    : stringify(output, { lineWidth: 0, aliasDuplicateObjects: false });
}
