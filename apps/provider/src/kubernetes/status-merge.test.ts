import { describe, expect, it } from 'vitest';
import { gatewayInfraState, mergeStatus } from './status-merge.ts';
import type { RawObject } from './reachable.ts';

const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
const accepted = (status: string) => ({
  type: 'Accepted',
  status,
  reason: 'Accepted',
  message: 'm',
  observedGeneration: 2,
});

describe('mergeStatus', () => {
  it('keeps lastTransitionTime while a condition keeps its status, and sets it when the status flips', () => {
    const live = { conditions: [{ ...accepted('True'), lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    expect(mergeStatus('GatewayClass', { conditions: [accepted('True')] }, live, 'NOW')).toEqual({
      conditions: [{ ...accepted('True'), lastTransitionTime: '2026-01-01T00:00:00Z' }],
    });
    expect(mergeStatus('GatewayClass', { conditions: [accepted('False')] }, live, 'NOW')).toEqual({
      conditions: [{ ...accepted('False'), lastTransitionTime: 'NOW' }],
    });
  });

  it("replaces our route parents, drops stale ones and keeps other controllers'", () => {
    const parent = (controllerName: string, name: string) => ({
      controllerName,
      parentRef: { name },
      conditions: [accepted('True')],
    });
    const live = { parents: [parent('example.com/other', 'theirs'), parent(CONTROLLER, 'stale')] };
    const merged = mergeStatus('HTTPRoute', { parents: [parent(CONTROLLER, 'eg')] }, live, 'NOW') as {
      parents: { parentRef: { name: string } }[];
    };
    expect(merged.parents.map((p) => p.parentRef.name)).toEqual(['theirs', 'eg']);
  });

  it('caps conditions at the CRD schema limit', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...accepted('True'), type: `T${i}` }));
    expect(
      (mergeStatus('Gateway', { conditions: many }, undefined, 'NOW') as { conditions: unknown[] }).conditions,
    ).toHaveLength(8);
  });

  it('derives Gateway addresses and Programmed from the Envoy Service and Deployment', () => {
    const gateway = { kind: 'Gateway', metadata: { name: 'eg', namespace: 'default', generation: 3 } } as RawObject;
    const labels = {
      'gateway.envoyproxy.io/owning-gateway-name': 'eg',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
    };
    const service = {
      metadata: { name: 'envoy', labels },
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
    } as RawObject;
    const deployment = {
      metadata: { name: 'envoy', labels },
      spec: { replicas: 2 },
      status: { availableReplicas: 1 },
    } as RawObject;
    const infra = gatewayInfraState(gateway, [service], [deployment]);
    const status = mergeStatus('Gateway', { conditions: [accepted('True')] }, undefined, 'NOW', infra, 3) as {
      addresses: unknown[];
      conditions: { type: string; status: string; message: string; observedGeneration: number }[];
    };
    expect(status.addresses).toEqual([{ type: 'Hostname', value: 'lb.example.com' }]);
    expect(status.conditions[1]).toMatchObject({
      type: 'Programmed',
      status: 'True',
      message: 'Address assigned to the Gateway, 1/2 envoy replicas available',
      observedGeneration: 3,
    });
    const none = mergeStatus('Gateway', {}, undefined, 'NOW', gatewayInfraState(gateway, [], []), 3) as {
      conditions: { reason: string }[];
    };
    expect(none.conditions[0]?.reason).toBe('AddressNotAssigned');
  });
});
