import { setTimeout as sleep } from 'node:timers/promises';
import { startOtlpReceiver, type ReceivedSpan } from '@eg/testing';
import { routeYaml } from '../lib/resources.ts';
import { Prober, startBenchStack } from '../lib/stack.ts';
import { median, ms, percentile, printTable, RUNS } from '../lib/stats.ts';

// 5. Where a change's time goes: the spans of one new route's trace (provider event -> Envoy ACK) at
// 1,000 existing routes, from the services' own OpenTelemetry export to a receiver here. Per span name, the
// longest such span of each change; the last row is the whole change, its first span's start to the end of
// the last (Envoy's ACK). Gaps between spans are debounce windows (30 ms file settle, 50 ms per bus watch).

const EXISTING = 1_000;
const SETTLE_MS = 1_500; // lets the ACK of the last push and the batch exporter (100 ms) catch up

const receiver = await startOtlpReceiver();
const bench = await startBenchStack(EXISTING, {
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_BSP_SCHEDULE_DELAY: '100',
});
const prober = new Prober(bench.gatewayPort);
/** Per change, the traces its file write started (an editor-style write can fire two reloads). */
const changes: string[][] = [];
try {
  for (let run = 0; run <= RUNS; run++) {
    await sleep(SETTLE_MS);
    const name = `traced-${run}`;
    const seen = receiver.spans.length;
    await bench.write(`${name}.yaml`, routeYaml(name));
    while ((await prober.get(`/${name}`)) !== 200) await sleep(1);
    await sleep(SETTLE_MS);
    const roots = receiver.spans.slice(seen).filter((s) => s.name === 'provider.reload');
    if (run > 0) changes.push(roots.map((s) => s.traceId)); // run 0 is the warm-up
  }
  await sleep(3 * SETTLE_MS); // the last pushes' spans end at Envoy's ACK and are exported after it
} finally {
  prober.close();
  await bench.stop();
  await receiver.close();
}
const perSpan = new Map<string, number[]>();
const whole: number[] = [];
for (const traceIds of changes) {
  const spans = receiver.spans.filter((s) => traceIds.includes(s.traceId));
  // The trace that reached Envoy; the whole change runs from its first reload to that trace's last span.
  const reached = [...traceIds].reverse().find((id) => spans.some((s) => s.traceId === id && s.name === 'xds.push'));
  if (!reached) throw new Error('no trace of the change reached an xds.push: is tracing exported?');
  const trace = spans.filter((s) => s.traceId === reached);
  const longest = new Map<string, ReceivedSpan>();
  for (const s of trace) {
    const key = `${s.service}: ${s.name}`;
    const prev = longest.get(key);
    if (!prev || s.endMs - s.startMs > prev.endMs - prev.startMs) longest.set(key, s);
  }
  for (const [key, s] of longest) perSpan.set(key, [...(perSpan.get(key) ?? []), s.endMs - s.startMs]);
  whole.push(Math.max(...trace.map((s) => s.endMs)) - Math.min(...spans.map((s) => s.startMs)));
}
const rows = [...perSpan]
  .filter(([, values]) => values.length === RUNS)
  .map(([key, values]) => [key, ms(median(values)), ms(percentile(values, 99))]);
rows.push(['whole trace', ms(median(whole)), ms(percentile(whole, 99))]);
printTable(['span (longest per change)', 'median ms', 'p99 ms'], rows);
process.stdout.write(
  `\n${RUNS} new routes after a warm-up, ${EXISTING} routes already served; spans in every change.\n`,
);
