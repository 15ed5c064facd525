import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES } from '@eg/standalone';
import { sampleProcess } from '../lib/proc.ts';
import { routeYaml } from '../lib/resources.ts';
import { startBenchStack } from '../lib/stack.ts';
import { median, mib, printTable, RUNS } from '../lib/stats.ts';

// 4. RSS and CPU of every control-plane process at 1,000 and 5,000 routes under churn: one route changes
// every CHURN_MS (its file of 100 routes is rewritten with that route's path changed), for RUNS windows of
// WINDOW_MS after a warm-up window. CPU is the process's CPU time over the window (100% = one core).

const SIZES = [1_000, 5_000];
const CHURN_MS = 200;
const WINDOW_MS = 5_000;

const rows: (string | number)[][] = [];
for (const size of SIZES) {
  const bench = await startBenchStack(size);
  const cpu = new Map<string, number[]>(SERVICE_NAMES.map((s) => [s, []]));
  const rss = new Map<string, number[]>(SERVICE_NAMES.map((s) => [s, []]));
  let changes = 0;
  try {
    for (let window = 0; window <= RUNS; window++) {
      const before = new Map(SERVICE_NAMES.map((s) => [s, sampleProcess(bench.stack.services[s].pid!)]));
      const started = performance.now();
      while (performance.now() - started < WINDOW_MS) {
        // Route r-i moves between /r-i and /r-i-v<n>, rewriting its file of 100.
        const i = (changes * 37) % size;
        const first = i - (i % 100);
        const names = Array.from({ length: Math.min(100, size - first) }, (_, k) => `r-${first + k}`);
        const yaml = names
          .map((n) => (n === `r-${i}` ? routeYaml(n, `/${n}-v${changes}`) : routeYaml(n)))
          .join('---\n');
        await bench.write(`routes-${String(first / 100).padStart(4, '0')}.yaml`, yaml);
        changes++;
        await sleep(CHURN_MS);
      }
      const seconds = (performance.now() - started) / 1000;
      if (window === 0) continue; // warm-up
      for (const s of SERVICE_NAMES) {
        const after = sampleProcess(bench.stack.services[s].pid!);
        cpu.get(s)!.push(((after.cpuSeconds - before.get(s)!.cpuSeconds) / seconds) * 100);
        rss.get(s)!.push(after.rssBytes);
      }
    }
  } finally {
    await bench.stop();
  }
  for (const s of SERVICE_NAMES) {
    rows.push([size, s, mib(median(rss.get(s)!)), mib(Math.max(...rss.get(s)!)), median(cpu.get(s)!).toFixed(0)]);
  }
}
printTable(['routes', 'service', 'RSS median MiB', 'RSS max MiB', 'CPU median %'], rows);
process.stdout.write(
  `\nOne route changed every ${CHURN_MS} ms; ${RUNS} windows of ${WINDOW_MS / 1000} s after a warm-up window. ` +
    `100% CPU = one core. Envoy is not included.\n`,
);
