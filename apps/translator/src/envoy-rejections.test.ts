import { describe, expect, it } from 'vitest';
import type { ResourceStatus } from '@eg/ir';
import { ENVOY_ACCEPTED_CONDITION, withEnvoyRejections } from './envoy-rejections.ts';

const accepted = {
  type: 'Accepted',
  status: 'True',
  reason: 'Accepted',
  message: 'ok',
  observedGeneration: 3,
} as const;
const gateway = (name: string): ResourceStatus => ({
  kind: 'Gateway',
  apiVersion: 'gateway.networking.k8s.io/v1',
  namespace: 'default',
  name,
  status: { conditions: [accepted], listeners: [] },
});

describe('withEnvoyRejections', () => {
  it('adds EnvoyAccepted=False to the Gateway of the fleet whose Envoy refused config, and leaves the rest', () => {
    const statuses = [gateway('eg'), gateway('other')];
    const result = withEnvoyRejections(statuses, [
      {
        irKey: 'default/eg',
        nodeId: 'envoy-2',
        replica: 'xds-1',
        rejected: { 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': 'invalid regex' },
      },
      {
        irKey: 'default/eg',
        nodeId: 'envoy-1',
        replica: 'xds-0',
        rejected: { 'type.googleapis.com/envoy.config.cluster.v3.Cluster': 'bad cluster' },
      },
    ]);
    expect(result[0]?.status).toEqual({
      conditions: [
        accepted,
        {
          type: ENVOY_ACCEPTED_CONDITION,
          status: 'False',
          reason: 'Rejected',
          message:
            'Envoy envoy-1 rejected Cluster: bad cluster\nEnvoy envoy-2 rejected RouteConfiguration: invalid regex',
          observedGeneration: 3,
        },
      ],
      listeners: [],
    });
    expect(result[1]).toBe(statuses[1]);
    expect(withEnvoyRejections(statuses, [])).toEqual(statuses);
  });
});
