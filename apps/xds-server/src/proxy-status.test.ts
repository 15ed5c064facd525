import { describe, expect, it } from 'vitest';
import { TYPE_URLS } from '@eg/xds';
import { NODE } from '../test/fake-envoy.ts';
import { fleet } from '../test/fake-resources.ts';
import { XdsStatusRegistry } from './node-status.ts';
import { proxyStatuses } from './proxy-status.ts';
import { SnapshotCache } from './snapshot-cache.ts';

describe('proxyStatuses', () => {
  it('calls a type SYNCED when the node holds what is served, STALE when not, NACKED with the error', () => {
    const cache = new SnapshotCache();
    const nacks: string[] = [];
    const status = new XdsStatusRegistry({
      rejected: (node, typeUrl, r) => nacks.push(`${node.id} ${typeUrl} ${r.message}`),
      rejectionsChanged: (node, rejected) => nacks.push(`${node.id} refuses ${Object.keys(rejected).length}`),
    });
    cache.setSnapshot(NODE.cluster, fleet({ a: '1' }));
    status.open(1, NODE, 'delta');
    status.acknowledged(1, TYPE_URLS.cluster, new Map([['a', '1']]));
    status.acknowledged(1, TYPE_URLS.endpoint, new Map([['a', '0']]));
    status.rejected(1, TYPE_URLS.route, { message: 'bad regex', versions: { l: 'r2' } });
    expect(proxyStatuses(status, cache)).toEqual([
      {
        nodeId: NODE.id,
        nodeCluster: NODE.cluster,
        protocol: 'delta',
        types: {
          Listener: { state: 'STALE' },
          RouteConfiguration: { state: 'NACKED', error: 'bad regex' },
          Cluster: { state: 'SYNCED' },
          ClusterLoadAssignment: { state: 'STALE' },
          Secret: { state: 'SYNCED' },
        },
      },
    ]);
    status.acknowledged(1, TYPE_URLS.route, new Map([['l', 'r3']]));
    status.close(1);
    expect(nacks).toEqual([
      `${NODE.id} refuses 0`,
      `${NODE.id} ${TYPE_URLS.route} bad regex`,
      `${NODE.id} refuses 1`,
      `${NODE.id} refuses 0`,
    ]);
  });
});
