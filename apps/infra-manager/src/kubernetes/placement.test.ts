import { describe, expect, it } from 'vitest';
import { fleetPlacement, parseDeployType } from './placement.ts';

describe('fleetPlacement', () => {
  it('puts every fleet in the controller namespace under a hashed name by default', () => {
    expect(fleetPlacement('team-a/eg', 'ControllerNamespace', 'eg-system')).toEqual({
      namespace: 'eg-system',
      name: 'envoy-team-a-eg-77bb22a9',
    });
  });

  it("puts a fleet in its Gateway's namespace under the Gateway's name in GatewayNamespace mode", () => {
    expect(fleetPlacement('team-a/eg', 'GatewayNamespace', 'eg-system')).toEqual({ namespace: 'team-a', name: 'eg' });
  });

  it('keeps merged Gateways (keyed by GatewayClass) in the controller namespace', () => {
    expect(fleetPlacement('eg-class', 'GatewayNamespace', 'eg-system').namespace).toBe('eg-system');
  });

  it('rejects an unknown deploy type, naming the flag', () => {
    expect(() => parseDeployType('Cluster')).toThrow(
      /--deploy-type must be one of ControllerNamespace, GatewayNamespace/,
    );
  });
});
