import { loadResources, translate, type Resource } from '@eg/gatewayapi';
import { translateXds } from '@eg/xds';
import { median, mib, ms, percentile, printTable, RUNS } from '../lib/stats.ts';
import { gatewayYaml, policiesYaml, routesYaml } from '../lib/resources.ts';

// 1. Translation time and heap of the pure libraries at 100 / 1,000 / 10,000 HTTPRoutes, on one core:
// resources -> IR + statuses (libs/gatewayapi), then IR -> Envoy resources (libs/xds). One rate-limit
// BackendTrafficPolicy on the Gateway and one on every tenth route (see policiesYaml).
// Run with --expose-gc (npm run bench does) so heap figures are after a full collection.

const SIZES = [100, 1_000, 10_000];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapUsed = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * One translation. In its own function so nothing of the previous run stays reachable from this frame
 * (the interpreter's registers would keep it) when the heap is measured before.
 */
function measure(resources: Resource[]): { gatewayApiMs: number; xdsMs: number; retainedBytes: number } {
  const before = heapUsed();
  const t0 = performance.now();
  const result = translate(resources, { runningOnHost: true });
  const t1 = performance.now();
  const envoy = [...result.xds.values()].map((ir) => translateXds(ir));
  const t2 = performance.now();
  if (envoy.length !== 1) throw new Error('expected one gateway');
  const retainedBytes = heapUsed() - before;
  // Read after the measurement, so both are alive while it is taken.
  if (result.statuses.length === 0 || envoy[0]!.routes.length === 0) throw new Error('empty translation');
  if (result.rateLimit.size === 0) throw new Error('the rate-limit policies were not translated');
  return { gatewayApiMs: t1 - t0, xdsMs: t2 - t1, retainedBytes };
}

const rows: (string | number)[][] = [];
for (const n of SIZES) {
  const names = Array.from({ length: n }, (_, i) => `r-${i}`);
  const yaml = [gatewayYaml(8080, 3000), routesYaml(names), policiesYaml(names)].join('---\n');
  const { resources, errors } = loadResources(yaml, `bench-${n}.yaml`);
  if (errors.length > 0) throw new Error(`bench input invalid: ${errors[0]!.message}`);
  const gatewayApi: number[] = [];
  const xds: number[] = [];
  let retained = 0;
  for (let run = 0; run <= RUNS; run++) {
    const m = measure(resources);
    if (run === 0) continue; // warm-up
    gatewayApi.push(m.gatewayApiMs);
    xds.push(m.xdsMs);
    retained = Math.max(retained, m.retainedBytes);
  }
  rows.push([
    `${n} (${Math.ceil(n / 10) + 1})`,
    ms(median(gatewayApi)),
    ms(percentile(gatewayApi, 99)),
    ms(median(xds)),
    ms(percentile(xds, 99)),
    mib(retained),
    mib(heapUsed()),
  ]);
}
printTable(
  [
    'HTTPRoutes (policies)',
    'gateway-api median ms',
    'gateway-api p99 ms',
    'xds median ms',
    'xds p99 ms',
    'result heap MiB',
    'heap after MiB',
  ],
  rows,
);
process.stdout.write(
  `\n${RUNS} runs after a warm-up. "result heap" is the JS heap one translation's IR, statuses and Envoy resources keep alive (the encoded protobuf bytes live outside it).\n`,
);
