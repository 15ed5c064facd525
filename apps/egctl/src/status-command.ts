import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { ResourceStatus } from '@eg/ir';
import { InvalidInputError, UsageError } from './errors.ts';
import { formatData, formatTable, parseOutputFormat } from './output-format.ts';
import { conditionRows } from './status-rows.ts';

export const STATUS_USAGE = `Usage: egctl x status [KIND] [-n NAMESPACE | -A] [-o table|yaml|json] [-v] [--nats URL]

Shows resources and their status conditions as the translator wrote them to the status bucket; works in
standalone mode, where there is no API server to read status from.
  KIND              all (default), or a kind such as gatewayclass, gateway, httproute, backend
  -n, --namespace   only this namespace (cluster-scoped kinds are always shown); default: all
  -A                all namespaces (the default)
  -o, --output FMT  table (default), yaml or json
  -v, --verbose     table: add the condition messages
  --nats URL        the control plane's NATS (default $NATS_URL or nats://127.0.0.1:4222)`;

/** Runs `egctl x status` and returns what to print. */
export async function runStatus(args: readonly string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A', default: false },
        output: { type: 'string', short: 'o', default: 'table' },
        verbose: { type: 'boolean', short: 'v', default: false },
        nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError('at most one KIND');
  const format = parseOutputFormat(values.output, ['table', 'yaml', 'json']);
  const kind = (positionals[0] ?? 'all').toLowerCase();
  const namespace = values['all-namespaces'] ? undefined : values.namespace;

  const statuses = (await readStatuses(values.nats))
    .filter((s) => kind === 'all' || s.kind.toLowerCase() === kind || `${s.kind.toLowerCase()}s` === kind)
    .filter((s) => namespace === undefined || s.namespace === undefined || s.namespace === namespace)
    .sort((a, b) =>
      `${a.kind}/${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.kind}/${b.namespace ?? ''}/${b.name}`),
    );
  if (format !== 'table') {
    return formatData(
      statuses.map((s) => ({
        apiVersion: s.apiVersion,
        kind: s.kind,
        metadata: s.namespace === undefined ? { name: s.name } : { name: s.name, namespace: s.namespace },
        status: s.status,
      })),
      format,
    );
  }
  const headers = ['KIND', 'NAMESPACE', 'NAME', 'SCOPE', 'TYPE', 'STATUS', 'REASON'];
  const rows = statuses.flatMap(conditionRows).map((r) => {
    const cells = [r.kind, r.namespace, r.name, r.scope, r.type, r.status, r.reason];
    return values.verbose ? [...cells, r.message] : cells;
  });
  return formatTable(values.verbose ? [...headers, 'MESSAGE'] : headers, rows);
}

async function readStatuses(nats: string): Promise<ResourceStatus[]> {
  let bus;
  try {
    bus = await connectBus({ servers: nats, name: 'egctl' });
  } catch (err) {
    throw new InvalidInputError(`cannot reach the control plane's NATS at ${nats}`, [String(err)], { cause: err });
  }
  try {
    const map = await bus.map<ResourceStatus>('status');
    const entries = await Promise.all((await map.keys()).map((key) => map.get(key)));
    return entries.flatMap((e) => (e ? [e.value] : []));
  } finally {
    await bus.close();
  }
}
