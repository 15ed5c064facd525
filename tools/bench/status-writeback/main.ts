import { setTimeout as sleep } from 'node:timers/promises';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { connectBus } from '@eg/bus';
import { resourceKey, type ResourceStatus } from '@eg/ir';
import { routesYaml } from '../lib/resources.ts';
import { startBenchStack } from '../lib/stack.ts';
import { median, ms, percentile, printTable, RUNS } from '../lib/stats.ts';

// 3. Status write-back: one file with 1,000 new HTTPRoutes appears -> time until the Gateway's listener
// reports attachedRoutes = 1000 in the status bucket (what `egctl x status` and, in Kubernetes, the
// status writer read). Polls the bucket every 5 ms.

const BATCH = 1_000;
const bench = await startBenchStack(0);
const bus = await connectBus({ servers: bench.stack.natsUrl, name: 'bench' });
const statuses = await bus.map<ResourceStatus>('status');
const gatewayKey = resourceKey('Gateway', 'default', 'eg');

const attached = async (): Promise<number | undefined> => {
  const entry = await statuses.get(gatewayKey);
  const listeners = (entry?.value.status as { listeners?: { attachedRoutes: number }[] } | undefined)?.listeners;
  return listeners?.[0]?.attachedRoutes;
};
const waitFor = async (count: number): Promise<void> => {
  const deadline = performance.now() + 120_000;
  while ((await attached()) !== count) {
    if (performance.now() > deadline) throw new Error(`attachedRoutes never reached ${count}`);
    await sleep(5);
  }
};

const times: number[] = [];
try {
  await waitFor(0);
  for (let run = 0; run <= RUNS; run++) {
    const names = Array.from({ length: BATCH }, (_, i) => `batch-${run}-${i}`);
    const started = performance.now();
    await bench.write('batch.yaml', routesYaml(names));
    await waitFor(BATCH);
    if (run > 0) times.push(performance.now() - started);
    await unlink(join(bench.dir, 'batch.yaml'));
    await waitFor(0);
  }
} finally {
  await bus.close();
  await bench.stop();
}
printTable(
  ['new routes', 'median ms', 'p99 ms', 'min ms'],
  [[BATCH, ms(median(times)), ms(percentile(times, 99)), ms(Math.min(...times))]],
);
process.stdout.write(
  `\n${RUNS} runs after a warm-up; the routes are removed (attachedRoutes back to 0) between runs.\n`,
);
