import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import { translate, type Resource, type TranslateResult } from '@eg/gatewayapi';
import type { EnvoyRejection } from '@eg/ir';
import { runService } from '@eg/service';
import { endSpan, inSpan, recordSubscription, recordTranslation, startSpan, traceContextOf } from '@eg/telemetry';
import { Publisher } from './publish.ts';
import { causingTrace, openOutputs, outputSets } from './outputs.ts';
import { inputCounts, outputCounts } from './trace-attributes.ts';
import type { TraceContext } from '@eg/bus';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    'running-on-host': { type: 'boolean', default: false },
    holder: { type: 'string', default: `${hostname()}-${process.pid}` }, // a stable id lets a restarted process reclaim its lease at once
  },
});

await runService({
  name: 'translator',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const bus = await connectBus({ servers: values.nats, name: 'translator' });
    onShutdown(() => bus.close());
    const resources = await bus.map<Resource>('resources');
    const outputs = await openOutputs(bus);
    const publisher = new Publisher();
    // Every replica translates (hot standby); only the lease holder writes.
    const lease = bus.lease('translator', values.holder, { onError: (err) => log.warn('lease', { err }) });
    onShutdown(() => lease.release());

    let latest: { result: TranslateResult; trace: TraceContext | undefined } | undefined;
    let publishing = Promise.resolve();
    const publishLatest = (): void => {
      publishing = publishing
        .then(async () => {
          if (!latest || !lease.isLeader()) return;
          const { result, trace } = latest;
          const stats = await inSpan('translator.publish', trace, {}, (_span, publishTrace) =>
            publisher.publish(outputSets(outputs, result, rejections.values()), publishTrace),
          );
          log.info('published', { ...stats, traceparent: latest.trace?.traceparent });
        })
        .catch((err: unknown) => log.error('publish failed', { err }));
    };
    // Envoys that refuse their configuration, as the xds-servers report them: a condition on their Gateway.
    const rejections = new Map<string, EnvoyRejection>();
    const envoyStatus = await bus.map<EnvoyRejection>('xds-status');
    void (async () => {
      for await (const snapshot of envoyStatus.subscribe({ signal })) {
        rejections.clear();
        for (const [key, entry] of snapshot.state) rejections.set(key, entry.value);
        publishLatest();
      }
    })().catch((err: unknown) => log.error('xds-status watch ended', { err }));
    lease.onChange((leader) => {
      log.info(leader ? 'became leader' : 'lost leadership', { holder: values.holder });
      if (leader) publishLatest();
    });

    for await (const snapshot of resources.subscribe({ atCommit: true, signal })) {
      const started = performance.now();
      const input = [...snapshot.state.values()].map((e) => e.value);
      const cause = causingTrace(snapshot);
      const span = startSpan('translator.translate', cause, { attributes: inputCounts(input) });
      let result: TranslateResult;
      try {
        result = translate(input, { runningOnHost: values['running-on-host'] });
      } catch (err) {
        // A translator bug must not take the last good outputs down with it: they stay as they are.
        log.error('translation failed; previous outputs kept', { err, resources: input.length });
        endSpan(span, err);
        recordSubscription('gateway-api', started, true);
        continue;
      }
      recordTranslation('gateway-api', started);
      span.setAttributes(outputCounts(result));
      endSpan(span);
      latest = { result, trace: traceContextOf(span) ?? cause };
      log.info('translated', {
        resources: input.length,
        gateways: result.xds.size,
        statuses: result.statuses.length,
        ms: Math.round(performance.now() - started),
      });
      publishLatest();
      recordSubscription('gateway-api', started);
      if (snapshot.initial) {
        await publishing;
        health.markReady();
      }
    }
  },
});
