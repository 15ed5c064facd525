import type { ClientTrafficSettings, ResourceStatus } from '@eg/ir';
import { GATEWAY_API_GROUP, type ClientTrafficPolicy } from '../resources.ts';
import type { GatewayContext } from './httproute.ts';
import type { ListenerContext } from './listeners.ts';
import { gatewayAncestor, MSG_POLICY_ACCEPTED, PolicyStatuses } from './policy-status.ts';

/** Which ClientTrafficPolicy settings each listener takes, and the policies' statuses. */
export interface ListenerClientTraffic {
  settingsFor(listener: ListenerContext): ClientTrafficSettings | undefined;
  readonly statuses: readonly ResourceStatus[];
}

const ACCEPTED = { type: 'Accepted', status: 'True', reason: 'Accepted', message: MSG_POLICY_ACCEPTED } as const;
const refused = (reason: string, message: string) => ({ type: 'Accepted', status: 'False', reason, message }) as const;

/**
 * Attaches ClientTrafficPolicies as Envoy Gateway does: a policy on a listener (sectionName) beats one on its
 * whole Gateway, which then reports the sections it does not reach as Overridden; among policies on the same
 * target the oldest (then namespace/name) wins and the others are Conflicted. Plain HTTP listeners on one port
 * share one connection manager, so a policy on just one of them is refused; it then leaves that listener to
 * the Gateway's policy, which keeps every listener of a port on the same settings.
 */
export function attachClientTrafficPolicies(
  policies: readonly ClientTrafficPolicy[],
  managed: ReadonlyMap<string, GatewayContext>,
): ListenerClientTraffic {
  const status = new PolicyStatuses<ClientTrafficPolicy>();
  const bySection = new Map<ListenerContext, ClientTrafficPolicy>();
  const byGateway = new Map<GatewayContext, ClientTrafficPolicy>();
  const targets = (withSection: boolean) =>
    policies.flatMap((policy) =>
      policy.spec.targetRefs
        .filter((t) => t.group === GATEWAY_API_GROUP && t.kind === 'Gateway')
        .filter((t) => (t.sectionName !== undefined) === withSection)
        .map((target) => ({ policy, target, gateway: managed.get(`${policy.metadata.namespace}/${target.name}`) })),
    );

  for (const { policy, target, gateway } of targets(true)) {
    // A Gateway of another controller, or none at all: nothing to report on.
    if (!gateway) continue;
    const ref = gatewayAncestor(gateway, target.sectionName);
    const listener = gateway.listeners.find((l) => l.spec.name === target.sectionName);
    const gatewayKey = `${gateway.gateway.metadata.namespace}/${gateway.gateway.metadata.name}`;
    if (!listener) {
      status.set(
        policy,
        ref,
        refused('TargetNotFound', `No section name ${target.sectionName} found for Gateway ${gatewayKey}.`),
      );
    } else if (bySection.has(listener)) {
      status.set(
        policy,
        ref,
        refused(
          'Conflicted',
          `Unable to target section of ${target.name}, another ClientTrafficPolicy has already attached to it.`,
        ),
      );
    } else {
      const sharing = sharedPlainPort(listener, gateway);
      if (sharing.length > 0) {
        const names = [listener, ...sharing].map((l) => l.irName).join(', ');
        status.set(
          policy,
          ref,
          refused(
            'Invalid',
            `ClientTrafficPolicy is being applied to multiple http (non https) listeners (${names}) on the same port, which is not allowed.`,
          ),
        );
      } else {
        bySection.set(listener, policy);
        status.set(policy, ref, ACCEPTED);
      }
    }
  }

  for (const { policy, target, gateway } of targets(false)) {
    if (!gateway) continue;
    const ref = gatewayAncestor(gateway, undefined);
    if (byGateway.has(gateway)) {
      status.set(
        policy,
        ref,
        refused(
          'Conflicted',
          `Unable to target Gateway ${target.name}, another ClientTrafficPolicy has already attached to it.`,
        ),
      );
      continue;
    }
    byGateway.set(gateway, policy);
    const overriding = gateway.listeners.filter((l) => bySection.has(l)).map((l) => l.spec.name);
    if (overriding.length > 0) {
      status.set(policy, ref, {
        type: 'Overridden',
        status: 'True',
        reason: 'Overridden',
        message: `There are existing ClientTrafficPolicies that are overriding these sections [${overriding.sort().join(' ')}]`,
      });
    }
    status.set(policy, ref, ACCEPTED);
  }

  return {
    statuses: status.statuses(policies),
    settingsFor(listener) {
      const gateway = managed.get(`${listener.gateway.metadata.namespace}/${listener.gateway.metadata.name}`);
      return (bySection.get(listener) ?? (gateway && byGateway.get(gateway)))?.spec.settings;
    },
  };
}

/** The other plain HTTP listeners of the Gateway that Envoy serves on the same port as `listener`. */
function sharedPlainPort(listener: ListenerContext, gateway: GatewayContext): ListenerContext[] {
  if (listener.serve?.type !== 'HTTP') return [];
  return gateway.listeners.filter(
    (l) => l !== listener && l.serve?.type === 'HTTP' && l.containerPort === listener.containerPort,
  );
}
