import { Counter, Gauge } from 'prom-client';
import { processRegistry } from '@eg/telemetry';

// Envoy Gateway's xds_snapshot_* names where it has them; pushes, ACKs and NACKs per resource type.
export const snapshotUpdates = new Counter({
  name: 'xds_snapshot_update_total',
  help: 'Total number of xDS snapshot cache updates, by IR key (node.cluster).',
  labelNames: ['node_cluster'],
  registers: [processRegistry],
});
export const pushes = new Counter({
  name: 'xds_push_total',
  help: 'Responses sent to Envoy, by resource type.',
  labelNames: ['type_url'],
  registers: [processRegistry],
});
export const acks = new Counter({
  name: 'xds_ack_total',
  help: 'Responses Envoy acknowledged (ACK), by resource type.',
  labelNames: ['type_url'],
  registers: [processRegistry],
});
export const nacks = new Counter({
  name: 'xds_nack_total',
  help: 'Responses Envoy refused (NACK), by fleet (node.cluster) and resource type.',
  labelNames: ['node_cluster', 'type_url'],
  registers: [processRegistry],
});
export const connectedProxies = new Gauge({
  name: 'xds_connected_proxies',
  help: 'Envoy proxies with an open ADS stream to this server, by protocol (delta, sotw).',
  labelNames: ['protocol'],
  registers: [processRegistry],
});
