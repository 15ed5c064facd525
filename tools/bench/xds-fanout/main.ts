// xDS fan-out benchmark: one IR change pushed to 50 Delta ADS streams (1 real Envoy + 49 simulated clients on
// @grpc/grpc-js), 1,000 routes per fleet. Prints p50/p99 time from the IR put to the last ACK, and bytes sent.
// Run: npm run bench -- xds-fanout, or node tools/bench/xds-fanout/main.ts [--changes 30 --routes 1000 --clients 49]
import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { HTTPRoute, XdsIR } from '@eg/ir';
import { DeltaAdsClient, freePort, startEnvoy, startNatsServer } from '@eg/testing';
import { startXdsServer } from '@eg/xds-server';
import { renderBootstrap, translateXds, TYPE_URLS } from '@eg/xds';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '30' },
    routes: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '49' },
  },
});
const CHANGES = Number(values.changes);
const ROUTES = Number(values.routes);
const CLIENTS = Number(values.clients);
const KEY = 'default/eg';
const BACKENDS = 50;

function ir(listenPort: number, changed: number, endpointPort: number): XdsIR {
  const routes: HTTPRoute[] = [];
  for (let i = 0; i < ROUTES; i++) {
    const destination = `httproute/default/r${i}/rule/0`;
    const backend = i % BACKENDS;
    routes.push({
      name: `${destination}/match/0/*`,
      hostname: '*',
      // The route that changes gets a new path: an RDS-only change.
      pathMatch: { type: 'Prefix', value: `/r${i}${i === 0 ? `/v${changed}` : ''}` },
      headerMatches: [],
      action: {
        type: 'Forward',
        destination: {
          name: destination,
          settings: [
            {
              name: `${destination}/backend/0`,
              weight: 1,
              addressType: 'IP',
              // Backend 0's port changes for EDS-only changes.
              endpoints: [{ host: '127.0.0.1', port: backend === 0 ? endpointPort : 20000 + backend }],
            },
          ],
        },
      },
      metadata: { kind: 'HTTPRoute', namespace: 'default', name: `r${i}` },
    });
  }
  return {
    http: [
      {
        name: 'default/eg/http',
        address: '0.0.0.0',
        port: listenPort,
        externalPort: listenPort,
        hostnames: ['*'],
        routes,
        metadata: { kind: 'Gateway', namespace: 'default', name: 'eg', sectionName: 'http' },
      },
    ],
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const nats = await startNatsServer();
const bus = await connectBus({ servers: nats.url, name: 'bench' });
const irs = await bus.map<XdsIR>('xds-ir');
const server = await startXdsServer({ host: '127.0.0.1', port: 0 });
const controller = new AbortController();
// As apps/xds-server/src/main.ts does: every committed IR change becomes a snapshot.
const loop = (async () => {
  for await (const snapshot of irs.subscribe({ atCommit: true, signal: controller.signal })) {
    for (const [key, entry] of snapshot.state) server.cache.setSnapshot(key, translateXds(entry.value));
  }
})();
const listenPort = await freePort();
await irs.put(KEY, ir(listenPort, 0, 20000));
await irs.commit();

const envoy = await startEnvoy({
  bootstrap: renderBootstrap({
    nodeCluster: KEY,
    nodeId: 'envoy-0',
    xdsHost: '127.0.0.1',
    xdsPort: server.port,
    adminAddress: '127.0.0.1',
    adminPort: 0,
    readinessPort: await freePort(),
  }),
});
const clients = Array.from(
  { length: CLIENTS },
  (_, i) =>
    new DeltaAdsClient({
      address: `127.0.0.1:${server.port}`,
      node: { id: `sim-${i + 1}`, cluster: KEY },
      // One connection per client, as every Envoy has its own.
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    }),
);
const byType = [TYPE_URLS.route, TYPE_URLS.endpoint].map((t) => [t] as const);
/** Whether every stream acknowledged the routes and endpoints of the snapshot the server holds now. */
const allAcked = (): boolean => {
  const target = server.cache.get(KEY);
  if (!target) return false;
  const nodes = server.status.nodes(KEY);
  return (
    nodes.length === CLIENTS + 1 &&
    nodes.every((n) =>
      byType.every(([typeUrl]) =>
        [...target.ofType(typeUrl).values()].every((r) => n.types[typeUrl]?.accepted[r.name] === r.version),
      ),
    )
  );
};
/** Waits until the server holds a snapshot other than `previous` and every stream acknowledged it. */
const waitAcked = async (previous: unknown, timeoutMs = 60_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (server.cache.get(KEY) === previous || !allAcked()) {
    if (performance.now() > deadline) throw new Error('not every stream acknowledged the change');
    await new Promise((r) => setImmediate(r));
  }
};
await waitAcked(undefined);

const results = new Map<string, { ms: number[]; snapshotMs: number[]; bytes: number[] }>();
for (let change = 1; change <= CHANGES; change++) {
  const kind = change % 2 === 0 ? 'EDS only (1 endpoint)' : 'RDS only (1 route)';
  const next = kind.startsWith('EDS')
    ? ir(listenPort, change - 1, 20000 + change)
    : ir(listenPort, change, 20000 + change - 1);
  const before = clients.map((c) => c.responses.length);
  const previous = server.cache.get(KEY);
  let snapshotAt = 0;
  const stopWatch = server.cache.watch(KEY, () => (snapshotAt = performance.now()));
  const start = performance.now();
  await irs.put(KEY, next);
  await irs.commit();
  await waitAcked(previous);
  stopWatch();
  const ms = performance.now() - start;
  const bytes = clients.map((c, i) => c.responses.slice(before[i]).reduce((sum, r) => sum + r.bytes, 0));
  const entry = results.get(kind) ?? { ms: [], snapshotMs: [], bytes: [] };
  entry.ms.push(ms);
  entry.snapshotMs.push(snapshotAt - start);
  entry.bytes.push(bytes.reduce((a, b) => a + b, 0) / bytes.length);
  results.set(kind, entry);
  // Drop what was received so memory stays flat.
  for (const c of clients) c.responses.length = 0;
}

const rows = [
  ['change', 'streams', 'routes', 'changes', 'p50 ms', 'p99 ms', 'p50 snapshot ms', 'bytes/stream', 'bytes/change'],
];
for (const [kind, { ms, snapshotMs, bytes }] of results) {
  const sorted = [...ms].sort((a, b) => a - b);
  const snapshotSorted = [...snapshotMs].sort((a, b) => a - b);
  const perStream = bytes.reduce((a, b) => a + b, 0) / bytes.length;
  rows.push([
    kind,
    String(CLIENTS + 1),
    String(ROUTES),
    String(ms.length),
    percentile(sorted, 50).toFixed(1),
    percentile(sorted, 99).toFixed(1),
    percentile(snapshotSorted, 50).toFixed(1),
    perStream.toFixed(0),
    (perStream * (CLIENTS + 1)).toFixed(0),
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
process.stdout.write(
  '(p50/p99: IR put on the bus -> every stream, the real Envoy included, acknowledged; snapshot: IR put -> ' +
    'translated snapshot in the xds-server; bytes: encoded DeltaDiscoveryResponses, per simulated stream and x50)\n',
);

for (const c of clients) c.close();
controller.abort();
await loop.catch(() => undefined);
await envoy.stop();
await server.close();
await bus.close();
await nats.stop();
