import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { EnvoyAdminError, UsageError } from './errors.ts';

export const ENVOY_CONFIG_USAGE = `Usage: egctl config envoy-proxy all|listener|route|cluster|endpoint (--admin HOST:PORT | --state-file FILE [--gateway NS/NAME]) [-o json|yaml]

Prints a running Envoy's configuration from its admin API (/config_dump).
  --admin HOST:PORT   Envoy's admin address (Envoy Gateway's proxies listen on 127.0.0.1:19000; port-forward it)
  --state-file FILE   the infra-manager's --state-file (standalone): finds each proxy's admin address
  --gateway NS/NAME   with --state-file, only the proxy of this Gateway (its IR key)
  -o, --output FMT    yaml (default) or json`;

/** Which part of the config dump each section is, by the `@type` of its entry. */
const SECTIONS = {
  listener: 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
  route: 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
  cluster: 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
  endpoint: 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
} as const;
type Section = keyof typeof SECTIONS | 'all';

interface ProxyState {
  readonly irKey: string;
  readonly name: string;
  readonly adminAddressPath?: string;
}

export async function runEnvoyConfig(args: readonly string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        admin: { type: 'string' },
        'state-file': { type: 'string' },
        gateway: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'yaml' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const { values, positionals } = parsed;
  const section = positionals[0] as Section | undefined;
  if (positionals.length !== 1 || !section || !(section === 'all' || section in SECTIONS)) {
    throw new UsageError('say which part: all, listener, route, cluster or endpoint');
  }
  if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError('-o must be yaml or json');
  if ((values.admin === undefined) === (values['state-file'] === undefined)) {
    throw new UsageError('give either --admin HOST:PORT or --state-file FILE');
  }
  const targets = values.admin
    ? [{ name: values.admin, address: values.admin }]
    : await fromState(values['state-file']!, values.gateway);
  const dumps: Record<string, unknown> = {};
  for (const { name, address } of targets) dumps[name] = await configDump(address, section);
  const document = values.admin ? dumps[values.admin] : dumps;
  return values.output === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document);
}

async function fromState(path: string, gateway: string | undefined): Promise<{ name: string; address: string }[]> {
  let proxies: ProxyState[];
  try {
    proxies = (JSON.parse(await readFile(path, 'utf8')) as { proxies: ProxyState[] }).proxies;
  } catch (err) {
    throw new EnvoyAdminError(`cannot read the infra-manager state ${path}`, { cause: err });
  }
  const chosen = proxies.filter((p) => gateway === undefined || p.irKey === gateway);
  if (chosen.length === 0)
    throw new EnvoyAdminError(gateway ? `no proxy for Gateway ${gateway}` : 'no proxy is running');
  return Promise.all(
    chosen.map(async (p) => {
      const address = p.adminAddressPath && (await readFile(p.adminAddressPath, 'utf8').catch(() => '')).trim();
      if (!address) throw new EnvoyAdminError(`proxy ${p.name} (${p.irKey}) has not started its admin API yet`);
      return { name: `${p.irKey} (${p.name})`, address };
    }),
  );
}

async function configDump(address: string, section: Section): Promise<unknown> {
  // EDS is only in the dump when asked for.
  const url = `http://${address}/config_dump${section === 'endpoint' || section === 'all' ? '?include_eds' : ''}`;
  let dump: { configs?: { '@type'?: string }[] };
  try {
    const answer = await fetch(url);
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    dump = (await answer.json()) as typeof dump;
  } catch (err) {
    throw new EnvoyAdminError(`cannot read ${url}`, { cause: err });
  }
  if (section === 'all') return dump;
  return dump.configs?.find((c) => c['@type'] === SECTIONS[section]) ?? {};
}
