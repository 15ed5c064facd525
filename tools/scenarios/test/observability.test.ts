import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from '@eg/standalone';
import {
  eventually,
  freePort,
  httpRequest,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '@eg/testing';
import { startScenario, type Scenario } from '../src/scenario.ts';

// One standalone stack exporting traces to an OTLP receiver here: a change is followed from the provider's
// file event to Envoy's ACK, and every service's /metrics is scraped.

const tracedRoute = (backendPort: number): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: traced, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [traced.example.com]
  rules:
    - backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: traced }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: traced, namespace: default }
spec:
  endpoints: [{ ip: { address: 127.0.0.1, port: ${backendPort} } }]
`;

const EGCTL = resolve(import.meta.dirname, '../../../apps/egctl/src/main.ts');
const egctl = (args: readonly string[]): Promise<{ stdout: string }> =>
  new Promise((done, fail) =>
    execFile(process.execPath, [EGCTL, ...args], (err, stdout) => (err ? fail(err) : done({ stdout }))),
  );

describe('scenario: observability', () => {
  let receiver: OtlpReceiver;
  let scenario: Scenario;
  let port: number;

  const get = async (host: string): Promise<void> => {
    await eventually(
      async () => expect((await httpRequest(`http://127.0.0.1:${port}/get`, { host })).status).toBe(200),
      { timeoutMs: 30_000 },
    );
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    scenario = await startScenario({
      backends: ['backend'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
    port = await freePort();
    const example = await readFile(
      resolve(import.meta.dirname, '../../../examples/quickstart/quickstart.yaml'),
      'utf8',
    );
    await scenario.apply(
      'quickstart.yaml',
      example.replace('port: 8888', `port: ${port}`).replace('port: 3000', `port: ${scenario.backendPorts['backend']}`),
    );
    await get('www.example.com');
  });

  afterAll(async () => {
    await scenario?.stop();
    await receiver?.close();
  });

  const EXPECTED_SPANS = [
    'provider.reload',
    'bus.put resources',
    'bus.watch resources',
    'translator.translate',
    'translator.publish',
    'bus.put xds-ir',
    'bus.watch xds-ir',
    'xds.translate',
    'xds.push',
  ];

  it('follows one change in one trace from the file write through every service to the Envoy ACK', async () => {
    await scenario.apply('traced.yaml', tracedRoute(scenario.backendPorts['backend']!));
    await get('traced.example.com');

    const { value: trace } = await eventually(
      async () => {
        const byTrace = new Map<string, ReceivedSpan[]>();
        for (const s of receiver.spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
        const found = [...byTrace.values()].find(
          (spans) =>
            spans.some((s) => s.name === 'translator.translate' && s.attributes['eg.input.HTTPRoute'] === 2) &&
            spans.some((s) => s.name === 'xds.push' && s.attributes['xds.ack'] === true),
        );
        if (!found) throw new Error(`no complete trace yet among ${byTrace.size} traces`);
        // Each process exports its spans in its own batches: a parent (translator.publish) ends, and so arrives,
        // after its children, possibly after the ACK's span. Wait for every span the assertions below name.
        const missing = EXPECTED_SPANS.filter((name) => !found.some((s) => s.name === name));
        if (missing.length > 0) throw new Error(`trace still lacks ${missing.join(', ')}`);
        return found;
      },
      { timeoutMs: 20_000 },
    );
    const names = (service: string): string[] => trace.filter((s) => s.service === service).map((s) => s.name);
    expect(names('provider')).toContain('provider.reload');
    expect(names('provider')).toContain('bus.put resources');
    expect(names('translator')).toEqual(
      expect.arrayContaining(['bus.watch resources', 'translator.translate', 'translator.publish', 'bus.put xds-ir']),
    );
    expect(names('xds-server')).toEqual(expect.arrayContaining(['bus.watch xds-ir', 'xds.translate', 'xds.push']));

    // One tree: a single root (the provider's event), every other span's parent is in the same trace.
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual(['provider.reload']);
    expect(trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
    const push = trace.find((s) => s.name === 'xds.push' && s.attributes['xds.ack'] === true) as ReceivedSpan;
    expect(push.attributes['xds.node_cluster']).toBe('default/eg');
    expect(push.statusCode).not.toBe(2);
  });

  it('shows what every service runs with (egctl config envoy-gateway) and the statuses (egctl x status)', async () => {
    const endpoints = SERVICE_NAMES.flatMap((s) => ['--endpoint', `http://127.0.0.1:${scenario.stack.healthPorts[s]}`]);
    const config = JSON.parse((await egctl(['config', 'envoy-gateway', ...endpoints, '-o', 'json'])).stdout);
    expect(config.kind).toBe('EnvoyGateway');
    expect(config.services.map((s: { service: string }) => s.service)).toEqual([...SERVICE_NAMES]);
    expect(config.services[0]).toMatchObject({
      version: '0.1.0',
      tracing: { exporter: 'otlp', endpoint: receiver.endpoint },
      options: { resources: scenario.dir, nats: scenario.stack.natsUrl },
    });

    const status = await egctl(['x', 'status', 'httproute', '--nats', scenario.stack.natsUrl]);
    expect(status.stdout).toMatch(/HTTPRoute\s+default\s+backend\s+parent eg\s+Accepted\s+True\s+Accepted/);
    expect(status.stdout).toMatch(/HTTPRoute\s+default\s+traced\s+parent eg\s+ResolvedRefs\s+True\s+ResolvedRefs/);
  });

  it('serves Prometheus metrics on every service', async () => {
    const scrape = async (service: (typeof SERVICE_NAMES)[number]): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${scenario.stack.healthPorts[service]}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const sample = (text: string, name: string): number => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(name + ' ') || (l.startsWith(name + '{') && l.includes(name)));
      return line ? Number(line.split(' ').at(-1)) : Number.NaN;
    };
    for (const service of SERVICE_NAMES)
      expect(sample(await scrape(service), 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const provider = await scrape('provider');
    expect(sample(provider, 'watchable_publish_total{bucket="resources",operation="put"}')).toBeGreaterThanOrEqual(3);

    const translator = await scrape('translator');
    expect(sample(translator, 'translation_duration_seconds_count{translator="gateway-api"}')).toBeGreaterThan(0);
    expect(sample(translator, 'watchable_subscribe_total{runner="gateway-api",status="success"}')).toBeGreaterThan(0);
    expect(sample(translator, 'bus_delivery_lag_seconds_count{bucket="resources"}')).toBeGreaterThan(0);

    const xds = await scrape('xds-server');
    expect(sample(xds, 'xds_connected_proxies{protocol="delta"}')).toBe(1);
    expect(sample(xds, 'translation_duration_seconds_count{translator="xds"}')).toBeGreaterThan(0);
    expect(sample(xds, 'xds_snapshot_update_total{node_cluster="default/eg"}')).toBeGreaterThan(0);
    const listenerType = 'type.googleapis.com/envoy.config.listener.v3.Listener';
    expect(sample(xds, `xds_push_total{type_url="${listenerType}"}`)).toBeGreaterThan(0);
    expect(sample(xds, `xds_ack_total{type_url="${listenerType}"}`)).toBeGreaterThan(0);
    expect(xds).toContain('# TYPE xds_nack_total counter');

    expect(await scrape('infra-manager')).toContain(
      'watchable_subscribe_total{runner="infrastructure",status="success"}',
    );
    const ratelimit = await scrape('ratelimit');
    expect(ratelimit).toContain('watchable_subscribe_total{runner="global-ratelimit",status="success"}');
    expect(ratelimit).toContain('# TYPE ratelimit_service_decisions_total counter');
  });
});
