import { CONTROLLER_NAME, type Condition, type ResourceStatus } from '@eg/ir';
import { API_VERSION, GATEWAY_API_GROUP, type ObjectMeta } from '../resources.ts';
import { condition } from './conditions.ts';
import type { GatewayContext } from './httproute.ts';

/** The Gateway (or one of its listeners) a policy reports on. */
export interface AncestorRef {
  readonly group: string;
  readonly kind: 'Gateway';
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
}

interface AncestorStatus {
  readonly ancestorRef: AncestorRef;
  readonly controllerName: string;
  readonly conditions: Condition[];
}

export interface StatusedPolicy {
  readonly kind: 'BackendTrafficPolicy' | 'ClientTrafficPolicy' | 'SecurityPolicy';
  readonly metadata: ObjectMeta;
}

export const MSG_POLICY_ACCEPTED = 'Policy has been accepted.';

/** The ancestor statuses of policies, built up condition by condition. */
export class PolicyStatuses<P extends StatusedPolicy> {
  private readonly ancestors = new Map<P, Map<string, AncestorStatus>>();

  /** Sets a condition for one ancestor; the first outcome of a type stands, as Envoy Gateway sets only unset ones. */
  set(policy: P, ref: AncestorRef, c: Omit<Condition, 'observedGeneration'>): void {
    const list = this.ancestors.get(policy) ?? new Map<string, AncestorStatus>();
    this.ancestors.set(policy, list);
    const key = JSON.stringify([ref.namespace, ref.name, ref.sectionName ?? '']);
    const entry = list.get(key) ?? { ancestorRef: ref, controllerName: CONTROLLER_NAME, conditions: [] };
    list.set(key, entry);
    if (!entry.conditions.some((x) => x.type === c.type)) {
      entry.conditions.push(condition(c.type, c.status, c.reason, c.message, policy.metadata.generation));
    }
  }

  /** One status per policy that reports on some ancestor, in the order of `policies`. */
  statuses(policies: readonly P[]): ResourceStatus[] {
    const statuses: ResourceStatus[] = [];
    for (const policy of policies) {
      const list = this.ancestors.get(policy);
      if (!list) continue;
      const { namespace, name } = policy.metadata;
      statuses.push({
        kind: policy.kind,
        apiVersion: API_VERSION[policy.kind],
        namespace,
        name,
        status: { ancestors: [...list.values()] },
      });
    }
    return statuses;
  }
}

export function gatewayAncestor(gateway: GatewayContext, sectionName: string | undefined): AncestorRef {
  const { namespace, name } = gateway.gateway.metadata;
  return {
    group: GATEWAY_API_GROUP,
    kind: 'Gateway',
    namespace,
    name,
    ...(sectionName !== undefined && { sectionName }),
  };
}
