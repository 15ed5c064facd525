import { CONTROLLER_NAME, OWNING_GATEWAY_NAME_LABEL, OWNING_GATEWAY_NAMESPACE_LABEL } from '@eg/ir';
import type { RawObject } from './reachable.ts';

type Fields = Record<string, unknown>;

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime?: string;
}

// Limits of the Gateway API CRD schemas: a status beyond them would be rejected whole.
const MAX_CONDITIONS = 8;
const MAX_PARENTS = 32;
const MAX_ADDRESSES = 16;
const MAX_MESSAGE = 32768;

function fields(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

function list(value: unknown): Fields[] {
  return Array.isArray(value) ? value.map(fields) : [];
}

/**
 * Conditions with lastTransitionTime: kept from the live condition of the same type when its status did
 * not change (the Gateway API rule), `now` otherwise.
 */
export function withTransitionTimes(next: unknown, live: unknown, now: string): Condition[] {
  const previous = new Map(list(live).map((c) => [c['type'], c]));
  return list(next)
    .slice(0, MAX_CONDITIONS)
    .map((c) => {
      const old = previous.get(c['type']);
      const message = String(c['message'] ?? '');
      return {
        ...(c as unknown as Condition),
        message: message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message,
        lastTransitionTime:
          old && old['status'] === c['status'] && typeof old['lastTransitionTime'] === 'string'
            ? old['lastTransitionTime']
            : now,
      };
    });
}

/** Every `conditions` list inside a status (top level, listeners, parents) gets transition times. */
function stampConditions(next: Fields, live: Fields, now: string): Fields {
  const out: Fields = { ...next };
  if ('conditions' in next) out['conditions'] = withTransitionTimes(next['conditions'], live['conditions'], now);
  if (Array.isArray(next['listeners'])) {
    const liveListeners = new Map(list(live['listeners']).map((l) => [l['name'], l]));
    out['listeners'] = list(next['listeners']).map((l) => stampConditions(l, liveListeners.get(l['name']) ?? {}, now));
  }
  return out;
}

function parentKey(parent: Fields): string {
  const ref = fields(parent['parentRef']);
  return JSON.stringify([
    parent['controllerName'],
    ref['group'] ?? '',
    ref['kind'] ?? '',
    ref['namespace'] ?? '',
    ref['name'],
    ref['sectionName'] ?? '',
    ref['port'] ?? '',
  ]);
}

/**
 * A route's status: other controllers' parent entries stay as they are; ours are replaced by the
 * translator's, so a parent we no longer serve is dropped.
 */
function mergeRouteStatus(next: Fields, live: Fields, now: string): Fields {
  const liveParents = list(live['parents']);
  const byKey = new Map(liveParents.map((p) => [parentKey(p), p]));
  const ours = list(next['parents']).map((p) => {
    const parent = { ...p, controllerName: p['controllerName'] ?? CONTROLLER_NAME };
    return stampConditions(parent, byKey.get(parentKey(parent)) ?? {}, now);
  });
  const others = liveParents.filter((p) => p['controllerName'] !== CONTROLLER_NAME);
  return { ...live, ...next, parents: [...others, ...ours].slice(0, MAX_PARENTS) };
}

/** What the infrastructure says about a Gateway: the Envoy Service's addresses and available replicas. */
export interface GatewayInfraState {
  readonly addresses: readonly { readonly type: 'IPAddress' | 'Hostname'; readonly value: string }[];
  readonly replicas?: { readonly available: number; readonly desired: number };
}

export function gatewayInfraState(
  gateway: RawObject,
  services: readonly RawObject[],
  deployments: readonly RawObject[],
): GatewayInfraState {
  const owns = (o: RawObject): boolean =>
    o.metadata?.labels?.[OWNING_GATEWAY_NAME_LABEL] === gateway.metadata?.name &&
    o.metadata?.labels?.[OWNING_GATEWAY_NAMESPACE_LABEL] === gateway.metadata?.namespace;
  const service = services.find(owns) as (RawObject & { status?: unknown }) | undefined;
  const addresses: { type: 'IPAddress' | 'Hostname'; value: string }[] = [];
  if (service) {
    const spec = fields(service.spec);
    for (const ingress of list(fields(fields(service.status)['loadBalancer'])['ingress'])) {
      if (typeof ingress['ip'] === 'string') addresses.push({ type: 'IPAddress', value: ingress['ip'] });
      else if (typeof ingress['hostname'] === 'string')
        addresses.push({ type: 'Hostname', value: ingress['hostname'] });
    }
    if (spec['type'] === 'ClusterIP' || spec['type'] === undefined) {
      for (const ip of Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [spec['clusterIP']]) {
        if (typeof ip === 'string' && ip !== 'None') addresses.push({ type: 'IPAddress', value: ip });
      }
    }
  }
  const deployment = deployments.find(owns) as (RawObject & { status?: unknown }) | undefined;
  if (!deployment) return { addresses };
  const status = fields(deployment.status);
  return {
    addresses,
    replicas: {
      available: Number(status['availableReplicas'] ?? 0),
      desired: Number(fields(deployment.spec)['replicas'] ?? status['replicas'] ?? 1),
    },
  };
}

function programmed(infra: GatewayInfraState, generation: number): Fields {
  const base = { type: 'Programmed', observedGeneration: generation };
  if (infra.addresses.length === 0) {
    return {
      ...base,
      status: 'False',
      reason: 'AddressNotAssigned',
      message: 'No addresses have been assigned to the Gateway',
    };
  }
  if (infra.replicas && infra.replicas.available === 0) {
    return { ...base, status: 'False', reason: 'NoResources', message: 'Envoy replicas unavailable' };
  }
  const replicas = infra.replicas
    ? `, ${infra.replicas.available}/${infra.replicas.desired} envoy replicas available`
    : '';
  return { ...base, status: 'True', reason: 'Programmed', message: `Address assigned to the Gateway${replicas}` };
}

/** The status to write: the translator's, merged with the live one as the kind's rules say. */
export function mergeStatus(
  kind: string,
  translated: unknown,
  live: unknown,
  now: string,
  infra?: GatewayInfraState,
  generation = 1,
): Fields {
  const next = fields(translated);
  const current = fields(live);
  if (Array.isArray(next['parents'])) return mergeRouteStatus(next, current, now);
  if (kind === 'Gateway' && infra) {
    const conditions = list(next['conditions']).filter((c) => c['type'] !== 'Programmed');
    return stampConditions(
      {
        ...next,
        addresses: infra.addresses.slice(0, MAX_ADDRESSES),
        conditions: [...conditions, programmed(infra, generation)],
      },
      current,
      now,
    );
  }
  return stampConditions(next, current, now);
}
