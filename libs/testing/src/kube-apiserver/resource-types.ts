/** One kind the emulator serves, as discovery describes it. */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** URL segment, e.g. `httproutes`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Whether `/status` is a separate subresource (the main resource then ignores status changes). */
  readonly status: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function typeId(type: ResourceType): string {
  return `${apiVersionOf(type)}/${type.plural}`;
}

function t(group: string, version: string, kind: string, namespaced: boolean, status: boolean): ResourceType {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('s')
    ? `${lower}es`
    : /[^aeiou]y$/.test(lower)
      ? `${lower.slice(0, -1)}ies`
      : `${lower}s`;
  return { group, version, kind, plural, namespaced, status };
}

export const CORE_TYPES: readonly ResourceType[] = [
  t('', 'v1', 'Namespace', false, true),
  t('', 'v1', 'Service', true, true),
  t('', 'v1', 'Secret', true, false),
  t('', 'v1', 'ConfigMap', true, false),
  t('', 'v1', 'ServiceAccount', true, false),
  t('', 'v1', 'Pod', true, true),
  t('discovery.k8s.io', 'v1', 'EndpointSlice', true, false),
  t('apps', 'v1', 'Deployment', true, true),
  t('apps', 'v1', 'DaemonSet', true, true),
  t('autoscaling', 'v2', 'HorizontalPodAutoscaler', true, true),
  t('policy', 'v1', 'PodDisruptionBudget', true, true),
  t('coordination.k8s.io', 'v1', 'Lease', true, false),
];

const GW = 'gateway.networking.k8s.io';
const EG = 'gateway.envoyproxy.io';

/** The Gateway API CRDs (standard and experimental channel). */
export const GATEWAY_API_TYPES: readonly ResourceType[] = [
  t(GW, 'v1', 'GatewayClass', false, true),
  t(GW, 'v1', 'Gateway', true, true),
  t(GW, 'v1', 'HTTPRoute', true, true),
  t(GW, 'v1', 'GRPCRoute', true, true),
  t(GW, 'v1beta1', 'ReferenceGrant', true, false),
  t(GW, 'v1alpha2', 'TLSRoute', true, true),
  t(GW, 'v1alpha2', 'TCPRoute', true, true),
  t(GW, 'v1alpha2', 'UDPRoute', true, true),
  t(GW, 'v1alpha3', 'BackendTLSPolicy', true, true),
  t('multicluster.x-k8s.io', 'v1alpha1', 'ServiceImport', true, true),
];

/** Envoy Gateway's CRDs. */
export const ENVOY_GATEWAY_TYPES: readonly ResourceType[] = [
  t(EG, 'v1alpha1', 'EnvoyProxy', true, true),
  t(EG, 'v1alpha1', 'Backend', true, true),
  t(EG, 'v1alpha1', 'ClientTrafficPolicy', true, true),
  t(EG, 'v1alpha1', 'BackendTrafficPolicy', true, true),
  t(EG, 'v1alpha1', 'SecurityPolicy', true, true),
  t(EG, 'v1alpha1', 'EnvoyExtensionPolicy', true, true),
  t(EG, 'v1alpha1', 'EnvoyPatchPolicy', true, true),
  t(EG, 'v1alpha1', 'HTTPRouteFilter', true, false),
];

export const ALL_TYPES: readonly ResourceType[] = [...CORE_TYPES, ...GATEWAY_API_TYPES, ...ENVOY_GATEWAY_TYPES];

/** The part of a CustomResourceDefinition the emulator needs to serve its kind. */
export interface CrdRegistration {
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string; readonly plural: string };
    readonly scope: 'Namespaced' | 'Cluster';
    readonly versions: readonly {
      readonly name: string;
      readonly storage: boolean;
      readonly subresources?: { readonly status?: object };
    }[];
  };
}

/**
 * The kinds CustomResourceDefinitions register, at their storage version, so a test serves exactly what a
 * CRD chart would install (the emulator keeps one version per kind: it does no conversion).
 */
export function resourceTypesFromCrds(crds: readonly CrdRegistration[]): ResourceType[] {
  return crds.map(({ spec }) => {
    const storage = spec.versions.find((v) => v.storage);
    if (!storage) throw new Error(`CRD ${spec.names.plural}.${spec.group} has no storage version`);
    return {
      group: spec.group,
      version: storage.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      namespaced: spec.scope === 'Namespaced',
      status: storage.subresources?.status !== undefined,
    };
  });
}
