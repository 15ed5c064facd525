import { parseArgs } from 'node:util';
import { EnvoyAdminError, UsageError } from './errors.ts';

export const PROXY_STATUS_USAGE = `Usage: egctl x proxy-status --xds-admin HOST:PORT[,HOST:PORT...] [-o table|json]

Shows, per connected Envoy and resource type, whether it runs what the xds-server serves (SYNCED), lags
behind (STALE) or refused the latest configuration (NACKED), asking every xds-server replica's admin API.
  --xds-admin LIST   the replicas' --admin-port addresses
  -o, --output FMT   table (default) or json`;

interface TypeSync {
  readonly state: string;
  readonly error?: string;
}

interface ProxyStatus {
  readonly nodeId: string;
  readonly nodeCluster: string;
  readonly protocol: string;
  readonly types: Readonly<Record<string, TypeSync>>;
}

/** Table columns: the xDS short names, as istioctl and egctl print them. */
const COLUMNS: readonly (readonly [string, string])[] = [
  ['CDS', 'Cluster'],
  ['LDS', 'Listener'],
  ['EDS', 'ClusterLoadAssignment'],
  ['RDS', 'RouteConfiguration'],
  ['SDS', 'Secret'],
];

export async function runProxyStatus(args: readonly string[]): Promise<string> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { 'xds-admin': { type: 'string' }, output: { type: 'string', short: 'o', default: 'table' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (!values['xds-admin']) throw new UsageError('--xds-admin HOST:PORT[,...] is required');
  if (values.output !== 'table' && values.output !== 'json') throw new UsageError('-o must be table or json');
  const replicas = await Promise.all(
    values['xds-admin']
      .split(',')
      .filter((a) => a.trim() !== '')
      .map((address) => fetchReplica(address.trim())),
  );
  const rows = replicas.flatMap((r) => r.proxies.map((p) => ({ ...p, replica: r.replica })));
  rows.sort((x, y) => (x.nodeId < y.nodeId ? -1 : x.nodeId > y.nodeId ? 1 : 0));
  if (values.output === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const header = ['NAME', 'GATEWAY', 'XDS-SERVER', ...COLUMNS.map(([short]) => short)];
  const lines = rows.map((r) => [
    r.nodeId,
    r.nodeCluster,
    r.replica,
    ...COLUMNS.map(([, type]) => {
      const sync = r.types[type];
      return sync?.error ? `${sync.state} (${sync.error.split('\n')[0]})` : (sync?.state ?? '-');
    }),
  ]);
  return table([header, ...lines]);
}

async function fetchReplica(address: string): Promise<{ replica: string; proxies: ProxyStatus[] }> {
  const url = `http://${address}/proxy-status`;
  try {
    const answer = await fetch(url);
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    return (await answer.json()) as { replica: string; proxies: ProxyStatus[] };
  } catch (err) {
    throw new EnvoyAdminError(`cannot read ${url}`, { cause: err });
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
