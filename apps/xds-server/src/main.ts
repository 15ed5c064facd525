import { hostname } from 'node:os';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { connectBus } from '@eg/bus';
import type { EnvoyRejection, XdsIR } from '@eg/ir';
import { runService } from '@eg/service';
import { inSpan, recordSubscription, recordTranslation } from '@eg/telemetry';
import { translateXds } from '@eg/xds';
import { parseRateLimitService } from './ratelimit-url.ts';
import { startAdminServer } from './admin-server.ts';
import { startXdsServer } from './ads-server.ts';
import { snapshotUpdates } from './metrics.ts';
import { proxyStatuses } from './proxy-status.ts';
import { RejectionPublisher } from './rejection-publisher.ts';
import { watchedServerCredentials } from './server-credentials.ts';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' },
    'health-port': { type: 'string', default: '8081' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: '18000' },
    /** `GET /proxy-status` for egctl; off unless given (several replicas share a host in standalone mode). */
    'admin-port': { type: 'string' },
    'admin-host': { type: 'string', default: '127.0.0.1' },
    /** mTLS: a folder with tls.crt, tls.key and ca.crt (certgen's `envoy-gateway` folder); plaintext without it. */
    'tls-dir': { type: 'string', default: process.env['XDS_TLS_DIR'] },
    'tls-refresh-ms': { type: 'string', default: '10000' },
    replica: { type: 'string', default: process.env['HOSTNAME'] ?? `${hostname()}-${process.pid}` },
    /** Where Envoy asks for Global rate limits (Envoy Gateway's `grpc://envoy-ratelimit.<ns>.svc.<domain>:8081`). */
    'ratelimit-url': { type: 'string', default: process.env['RATELIMIT_URL'] },
    /** Deny requests when the ratelimit service cannot be reached (Envoy's failure_mode_deny). */
    'ratelimit-fail-closed': { type: 'boolean', default: false },
    /** How long Envoy waits for a rate-limit answer (Envoy Gateway's rateLimit.timeout); Envoy's 20 ms without. */
    'ratelimit-timeout-ms': { type: 'string' },
  },
});

const rateLimitService = parseRateLimitService(
  values['ratelimit-url'],
  values['ratelimit-fail-closed'],
  values['ratelimit-timeout-ms'],
);

await runService({
  name: 'xds-server',
  healthPort: Number(values['health-port']),
  config: values,
  start: async ({ log, health, signal, onShutdown }) => {
    const tlsDir = values['tls-dir'];
    // grpc-js has no per-server minimum version; this process serves TLS only for ADS, so it is set process-wide.
    if (tlsDir) tls.DEFAULT_MIN_VERSION = 'TLSv1.3';
    const credentials = tlsDir ? await watchedServerCredentials(tlsDir, Number(values['tls-refresh-ms'])) : undefined;
    const bus = await connectBus({ servers: values.nats, name: 'xds-server' });
    onShutdown(() => bus.close());
    const rejections = new RejectionPublisher(await bus.map<EnvoyRejection>('xds-status'), values.replica, log);
    // Registered after the bus, so it runs before the bus closes: refusals cleared on shutdown still get out.
    onShutdown(() => rejections.flushed());
    const server = await startXdsServer({
      host: values.host,
      port: Number(values.port),
      ...(credentials && { credentials }),
      observer: {
        rejected: (node, typeUrl, rejection) => {
          log.warn('Envoy rejected a config', {
            node: node.id,
            nodeCluster: node.cluster,
            typeUrl,
            error: rejection.message,
          });
        },
        rejectionsChanged: (node, rejected) => rejections.update(node, rejected),
      },
    });
    onShutdown(() => server.close());
    log.info('ADS listening', { port: server.port, mtls: credentials !== undefined });
    if (values['admin-port'] !== undefined) {
      const admin = await startAdminServer({
        host: values['admin-host'],
        port: Number(values['admin-port']),
        replica: values.replica,
        proxies: () => proxyStatuses(server.status, server.cache),
      });
      onShutdown(() => admin.close());
      log.info('admin listening', { port: admin.port });
    }
    const irs = await bus.map<XdsIR>('xds-ir');

    // Stateless: every replica builds the same snapshots from the same IR, so any can serve any Envoy.
    for await (const snapshot of irs.subscribe({ atCommit: true, signal })) {
      const started = performance.now();
      const keys = snapshot.initial ? [...snapshot.state.keys()] : snapshot.updates.map((u) => u.key);
      for (const key of keys) {
        const entry = snapshot.state.get(key);
        if (!entry) {
          server.cache.deleteSnapshot(key);
          log.info('snapshot removed', { key });
          continue;
        }
        try {
          inSpan('xds.translate', entry.trace, { attributes: { 'xds.node_cluster': key } }, (_span, trace) => {
            const translateStarted = performance.now();
            const resources = translateXds(entry.value, { rateLimitService });
            recordTranslation('xds', translateStarted);
            server.cache.setSnapshot(key, resources, trace);
          });
          snapshotUpdates.inc({ node_cluster: key });
          log.info('snapshot updated', { key, traceparent: entry.trace?.traceparent });
        } catch (err) {
          // Envoy keeps its last good config; the IR stays as it is until the next change.
          log.error('xds translation failed', { key, err });
        }
      }
      recordSubscription('xds-server', started);
      // Ready once the first full snapshot is loaded: a replica never serves Envoy an empty world.
      if (snapshot.initial) health.markReady();
    }
  },
});
