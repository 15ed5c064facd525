import type { ContainerResources, KubernetesProxyConfig, ProxyWorkload } from '@eg/ir';
import type { EnvoyProxy } from '../resources.ts';
import {
  integer,
  object,
  oneOf,
  optional,
  string,
  stringMap,
  type Decoder,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { objectMeta } from './metadata.ts';

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[numkMGTPE])?$/;

/** Resource quantities (`500m`, `1Gi`, `"1"` or a bare number), kept as text as Kubernetes writes them. */
const quantities: Decoder<Readonly<Record<string, string>>> = (value, path, problems) => {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(object(value, path, problems))) {
    const text = typeof v === 'number' ? String(v) : v;
    if (typeof text === 'string' && QUANTITY.test(text)) out[key] = text;
    else problems.add([...path, key], 'must be a resource quantity such as 500m, 1Gi or 2');
  }
  return out;
};

function resources(value: unknown, path: Path, problems: Problems): ContainerResources {
  const fields = object(value, path, problems);
  const requests = optional(fields, 'requests', quantities, path, problems);
  const limits = optional(fields, 'limits', quantities, path, problems);
  return { ...(requests && { requests }), ...(limits && { limits }) };
}

function workload(value: unknown, path: Path, problems: Problems): ProxyWorkload {
  const fields = object(value, path, problems);
  const pod = optional(fields, 'pod', object, path, problems);
  const container = optional(fields, 'container', object, path, problems);
  const podPath = [...path, 'pod'];
  const annotations = pod && optional(pod, 'annotations', stringMap, podPath, problems);
  const labels = pod && optional(pod, 'labels', stringMap, podPath, problems);
  const res = container && optional(container, 'resources', resources, [...path, 'container'], problems);
  return {
    ...((annotations || labels) && { pod: { ...(annotations && { annotations }), ...(labels && { labels }) } }),
    ...(res && { container: { resources: res } }),
  };
}

function deployment(value: unknown, path: Path, problems: Problems): NonNullable<KubernetesProxyConfig['deployment']> {
  const replicas = optional(object(value, path, problems), 'replicas', integer(0, 10_000), path, problems);
  return { ...(replicas !== undefined && { replicas }), ...workload(value, path, problems) };
}

function service(value: unknown, path: Path, problems: Problems): NonNullable<KubernetesProxyConfig['service']> {
  const fields = object(value, path, problems);
  const type = optional(fields, 'type', oneOf(['LoadBalancer', 'ClusterIP', 'NodePort']), path, problems);
  const annotations = optional(fields, 'annotations', stringMap, path, problems);
  const policy = optional(fields, 'externalTrafficPolicy', oneOf(['Local', 'Cluster']), path, problems);
  const lbClass = optional(fields, 'loadBalancerClass', string({ min: 1, max: 253 }), path, problems);
  const lbIP = optional(fields, 'loadBalancerIP', string({ min: 1, max: 45 }), path, problems);
  return {
    ...(type && { type }),
    ...(annotations && { annotations }),
    ...(policy && { externalTrafficPolicy: policy }),
    ...(lbClass && { loadBalancerClass: lbClass }),
    ...(lbIP && { loadBalancerIP: lbIP }),
  };
}

function hpa(value: unknown, path: Path, problems: Problems): NonNullable<KubernetesProxyConfig['hpa']> {
  const fields = object(value, path, problems);
  const minReplicas = optional(fields, 'minReplicas', integer(1, 10_000), path, problems);
  const maxReplicas = optional(fields, 'maxReplicas', integer(1, 10_000), path, problems) ?? 1;
  if (minReplicas !== undefined && minReplicas > maxReplicas) {
    problems.add([...path, 'maxReplicas'], 'must be at least minReplicas');
  }
  return { ...(minReplicas !== undefined && { minReplicas }), maxReplicas };
}

function pdb(value: unknown, path: Path, problems: Problems): NonNullable<KubernetesProxyConfig['pdb']> {
  const fields = object(value, path, problems);
  const minAvailable = optional(fields, 'minAvailable', integer(0, 10_000), path, problems);
  const maxUnavailable = optional(fields, 'maxUnavailable', integer(0, 10_000), path, problems);
  return {
    ...(minAvailable !== undefined && { minAvailable }),
    ...(maxUnavailable !== undefined && { maxUnavailable }),
  };
}

function kubernetes(value: unknown, path: Path, problems: Problems): KubernetesProxyConfig {
  const fields = object(value, path, problems);
  const d = optional(fields, 'envoyDeployment', deployment, path, problems);
  const ds = optional(fields, 'envoyDaemonSet', workload, path, problems);
  if (d && ds) problems.add(path, 'envoyDeployment and envoyDaemonSet cannot both be set');
  const s = optional(fields, 'envoyService', service, path, problems);
  const h = optional(fields, 'envoyHpa', hpa, path, problems);
  const p = optional(fields, 'envoyPDB', pdb, path, problems);
  if (ds && h) problems.add([...path, 'envoyHpa'], 'an HPA cannot scale an envoyDaemonSet');
  return {
    ...(d && { deployment: d }),
    ...(ds && { daemonSet: ds }),
    ...(s && { service: s }),
    ...(h && { hpa: h }),
    ...(p && { pdb: p }),
  };
}

/** Envoy Gateway's EnvoyProxy: the Kubernetes customisation of a Gateway's fleet. */
export function decodeEnvoyProxy(doc: Fields, problems: Problems): EnvoyProxy {
  const spec = object(doc['spec'] ?? {}, ['spec'], problems);
  const provider = optional(spec, 'provider', object, ['spec'], problems);
  const path = ['spec', 'provider'];
  const type = provider && optional(provider, 'type', oneOf(['Kubernetes', 'Host', 'Custom']), path, problems);
  const k8s = provider && type !== 'Host' ? optional(provider, 'kubernetes', kubernetes, path, problems) : undefined;
  const mergeType = optional(spec, 'mergeType', oneOf(['StrategicMerge', 'JSONMerge']), ['spec'], problems);
  return {
    kind: 'EnvoyProxy',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: { kubernetes: k8s ?? {}, ...(mergeType && { mergeType }) },
  };
}
