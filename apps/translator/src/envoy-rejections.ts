import { gatewayIRKey, type Condition, type EnvoyRejection, type ResourceStatus } from '@eg/ir';

/** Set on a Gateway while one of its Envoys refuses the configuration the xds-servers serve it. */
export const ENVOY_ACCEPTED_CONDITION = 'gateway.envoyproxy.io/EnvoyAccepted';

interface GatewayStatus {
  readonly conditions?: readonly Condition[];
}

/**
 * Adds the EnvoyAccepted=False condition to each Gateway whose fleet has an Envoy that NACKed, naming the Envoy,
 * the resource type and Envoy's message. Gateways merged into one fleet (IR key = GatewayClass) are not matched.
 */
export function withEnvoyRejections(
  statuses: readonly ResourceStatus[],
  rejections: Iterable<EnvoyRejection>,
): ResourceStatus[] {
  const byFleet = new Map<string, string[]>();
  for (const r of rejections) {
    const lines = byFleet.get(r.irKey) ?? [];
    for (const [typeUrl, message] of Object.entries(r.rejected)) {
      lines.push(`Envoy ${r.nodeId} rejected ${typeUrl.slice(typeUrl.lastIndexOf('.') + 1)}: ${message}`);
    }
    byFleet.set(r.irKey, lines);
  }
  if (byFleet.size === 0) return [...statuses];
  return statuses.map((s) => {
    const lines = s.kind === 'Gateway' && s.namespace ? byFleet.get(gatewayIRKey(s.namespace, s.name)) : undefined;
    if (!lines || lines.length === 0) return s;
    const status = (s.status ?? {}) as GatewayStatus;
    const conditions = status.conditions ?? [];
    const rejected: Condition = {
      type: ENVOY_ACCEPTED_CONDITION,
      status: 'False',
      reason: 'Rejected',
      // Sorted so every translator replica writes the same status.
      message: lines.sort().join('\n'),
      observedGeneration: conditions[0]?.observedGeneration ?? 0,
    };
    return { ...s, status: { ...status, conditions: [...conditions, rejected] } };
  });
}
