import { setTimeout as sleep } from 'node:timers/promises';
import { routeYaml } from '../lib/resources.ts';
import { Prober, startBenchStack } from '../lib/stack.ts';
import { median, ms, percentile, printTable, RUNS } from '../lib/stats.ts';

// 2. New route -> first 200 through Envoy, with 0 / 1,000 / 3,000 routes already there: the whole path
// (file event, provider, bus, translator, bus, xds-server, ADS, Envoy). Probes every 1 ms on one keep-alive
// connection from just before the file write; any answer other than 404 (not there yet) or 200 is counted.

const EXISTING = [0, 1_000, 3_000];
const rows: (string | number)[][] = [];
for (const existing of EXISTING) {
  const bench = await startBenchStack(existing);
  const prober = new Prober(bench.gatewayPort);
  const latencies: number[] = [];
  let unexpected = 0;
  let probes = 0;
  try {
    for (let run = 0; run <= RUNS; run++) {
      const name = `new-${run}`;
      const started = performance.now();
      await bench.write(`${name}.yaml`, routeYaml(name));
      for (;;) {
        const status = await prober.get(`/${name}`);
        probes++;
        if (status === 200) break;
        if (status !== 404) unexpected++;
        if (performance.now() - started > 120_000) throw new Error(`/${name} not served within 120 s`);
        await sleep(1);
      }
      if (run > 0) latencies.push(performance.now() - started); // run 0 is the warm-up
    }
  } finally {
    prober.close();
    await bench.stop();
  }
  rows.push([
    existing,
    ms(median(latencies)),
    ms(percentile(latencies, 99)),
    ms(Math.min(...latencies)),
    probes,
    unexpected,
  ]);
}
printTable(['existing routes', 'median ms', 'p99 ms', 'min ms', 'probes', 'non-200/404 answers'], rows);
process.stdout.write(`\n${RUNS} new routes per row after a warm-up route, one stack per row.\n`);
