import type { DestinationEndpoint, DestinationSetting } from '@eg/ir';
import {
  CORE_GROUP,
  ENVOY_GATEWAY_GROUP,
  GATEWAY_API_GROUP,
  MULTICLUSTER_GROUP,
  type Backend,
  type BackendRef,
  type EndpointSlice,
  type ServiceProtocol,
  type ServicePort,
} from '../resources.ts';
import { backendProblem } from './backend-resource.ts';
import type { Problem } from './conditions.ts';
import type { TranslateOptions } from './listeners.ts';
import { referenceAllowed } from './referencegrant.ts';
import { compareText, type ResourceIndex } from './resource-index.ts';

/** The Service port appProtocol (Gateway API) for HTTP/2 over cleartext. */
const H2C_APP_PROTOCOL = 'kubernetes.io/h2c';

export type BackendResolution =
  { readonly valid: true; readonly setting: DestinationSetting } | { readonly valid: false; readonly problem: Problem };

/** The route that holds the backendRef. */
export interface BackendRefOwner {
  readonly kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute';
  readonly namespace: string;
  /** The Service port protocol the route carries; TCP unless said otherwise. */
  readonly protocol?: ServiceProtocol;
}

/**
 * Resolves one backendRef to the endpoints of a Service or ServiceImport (from their EndpointSlices) or of a
 * Backend. Filters on the backendRef are the caller's concern. A GRPCRoute's backends are spoken to over HTTP/2.
 */
export function resolveBackendRef(
  ref: BackendRef,
  owner: BackendRefOwner,
  settingName: string,
  index: ResourceIndex,
  options: TranslateOptions,
): BackendResolution {
  const resolved = resolveEndpoints(ref, owner, settingName, index, options);
  if (!resolved.valid || owner.kind !== 'GRPCRoute') return resolved;
  return { valid: true, setting: { ...resolved.setting, protocol: 'HTTP2' } };
}

function resolveEndpoints(
  ref: BackendRef,
  owner: BackendRefOwner,
  settingName: string,
  index: ResourceIndex,
  options: TranslateOptions,
): BackendResolution {
  const namespace = ref.namespace ?? owner.namespace;
  const fail = (reason: string, message: string): BackendResolution => ({ valid: false, problem: { reason, message } });

  const isService = ref.group === CORE_GROUP && ref.kind === 'Service';
  const isBackend = ref.group === ENVOY_GATEWAY_GROUP && ref.kind === 'Backend';
  const isServiceImport = ref.group === MULTICLUSTER_GROUP && ref.kind === 'ServiceImport';
  if (!isService && !isBackend && !isServiceImport) {
    return fail(
      'InvalidKind',
      `${ref.group === CORE_GROUP ? '' : `${ref.group}/`}${ref.kind} is not a supported backend kind, only Service, ${MULTICLUSTER_GROUP}/ServiceImport and ${ENVOY_GATEWAY_GROUP}/Backend are`,
    );
  }
  const from = { group: GATEWAY_API_GROUP, kind: owner.kind, namespace: owner.namespace };
  const to = { group: ref.group, kind: ref.kind, namespace, name: ref.name };
  if (!referenceAllowed(index.referenceGrants, from, to)) {
    return fail(
      'RefNotPermitted',
      `Backend ref to ${ref.kind} ${namespace}/${ref.name} not permitted by any ReferenceGrant`,
    );
  }

  if (isBackend) {
    const backend = index.backend(namespace, ref.name);
    if (!backend) return fail('BackendNotFound', `Backend ${namespace}/${ref.name} not found`);
    const problem = backendProblem(backend, options);
    if (problem) return fail(problem.reason, `Backend ${namespace}/${ref.name} is not accepted: ${problem.message}`);
    return { valid: true, setting: backendSetting(backend, settingName, ref.weight) };
  }
  const service = isServiceImport ? index.serviceImport(namespace, ref.name) : index.service(namespace, ref.name);
  if (!service) return fail('BackendNotFound', `${ref.kind} ${namespace}/${ref.name} not found`);
  if (ref.port === undefined)
    return fail('PortNotSpecified', 'A valid port number corresponding to a port on the Service must be specified');
  const protocol = owner.protocol ?? 'TCP';
  const servicePort = service.spec.ports.find((p) => p.port === ref.port && p.protocol === protocol);
  if (!servicePort) {
    return fail('PortNotFound', `${protocol} Port ${ref.port} not found on service ${namespace}/${ref.name}`);
  }
  const slices = isServiceImport
    ? index.serviceImportSlices(namespace, ref.name)
    : index.endpointSlices(namespace, ref.name);
  const plain = serviceSetting(slices, servicePort, settingName, ref.weight);
  // HTTP traffic only: an L4 route's bytes (TLS passthrough among them) go to the backend as they are.
  if (owner.kind !== 'HTTPRoute' && owner.kind !== 'GRPCRoute') return { valid: true, setting: plain };
  const h2c = servicePort.appProtocol === H2C_APP_PROTOCOL;
  const setting: DestinationSetting = h2c ? { ...plain, protocol: 'HTTP2' } : plain;
  if (isServiceImport) return { valid: true, setting };
  const tls = index.backendTLS.forServicePort(namespace, ref.name, servicePort.name);
  if (!tls) return { valid: true, setting };
  // A policy whose CA cannot be used reports it in its own status; the route's traffic to the port gets 500
  // rather than plaintext or an unverified peer.
  if (!tls.valid) return { valid: true, setting: invalidSetting(settingName, ref.weight) };
  return { valid: true, setting: { ...setting, tls: tls.tls } };
}

/** A backendRef that failed keeps its weight, so its share of requests is answered with 500. */
export function invalidSetting(name: string, weight: number): DestinationSetting {
  return { name, weight, addressType: 'IP', endpoints: [], invalid: true };
}

function backendSetting(backend: Backend, name: string, weight: number): DestinationSetting {
  const endpoints: DestinationEndpoint[] = [];
  for (const e of backend.spec.endpoints) {
    if (e.type === 'IP') endpoints.push({ host: e.address, port: e.port });
    else if (e.type === 'FQDN') endpoints.push({ host: e.hostname, port: e.port });
  }
  // The schema forbids mixing FQDN with other endpoint types, so one endpoint decides.
  const addressType = backend.spec.endpoints[0]?.type === 'FQDN' ? 'FQDN' : 'IP';
  return { name, weight, addressType, endpoints };
}

/**
 * Endpoints come from the EndpointSlices of the Service or ServiceImport (not a cluster IP), as Envoy Gateway
 * routes by default:
 * the ready addresses of each slice, on the slice port that carries the Service port (same name, or the
 * numeric targetPort for an unnamed slice port). No endpoints is valid: Envoy then answers 503.
 */
function serviceSetting(
  slices: readonly EndpointSlice[],
  servicePort: ServicePort,
  name: string,
  weight: number,
): DestinationSetting {
  const endpoints = new Map<string, DestinationEndpoint>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const slicePort = slice.ports.find(
      (p) =>
        p.protocol === servicePort.protocol &&
        ((p.name ?? '') === (servicePort.name ?? '') ||
          (p.name === undefined && p.port !== undefined && p.port === servicePort.targetPort)),
    );
    if (slicePort?.port === undefined) continue;
    for (const endpoint of slice.endpoints) {
      if (endpoint.ready === false) continue;
      for (const host of endpoint.addresses) endpoints.set(`${host}:${slicePort.port}`, { host, port: slicePort.port });
    }
  }
  const sorted = [...endpoints.values()].sort((a, b) => compareText(a.host, b.host) || a.port - b.port);
  return { name, weight, addressType: 'IP', endpoints: sorted };
}
