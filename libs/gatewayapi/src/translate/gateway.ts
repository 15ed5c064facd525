import {
  OWNING_GATEWAY_NAME_LABEL,
  OWNING_GATEWAY_NAMESPACE_LABEL,
  DEFAULT_NAMESPACE,
  gatewayIRKey,
  type Condition,
  type HTTPListener,
  type HTTPRoute as IRRoute,
  type InfraIR,
  type KubernetesProxyConfig,
  type ListenerPort,
  type ResourceStatus,
} from '@eg/ir';
import { API_VERSION, type Gateway } from '../resources.ts';
import { condition } from './conditions.ts';
import { hostStatusAddresses, unsupportedAddress } from './gateway-addresses.ts';
import { resolveListenerTLS, type TLSResolution } from './listener-tls.ts';
import type { ListenerContext, TranslateOptions } from './listeners.ts';
import type { ResourceIndex } from './resource-index.ts';

export function gatewayStatus(
  gateway: Gateway,
  listeners: readonly ListenerContext[],
  attachedRoutes: (listener: ListenerContext) => number,
  options: TranslateOptions,
  backendCertificate?: TLSResolution,
): ResourceStatus {
  const { namespace, name } = gateway.metadata;
  const addresses = hostStatusAddresses(gateway, options);
  return {
    kind: 'Gateway',
    apiVersion: API_VERSION.Gateway,
    namespace,
    name,
    status: {
      ...(addresses && { addresses }),
      conditions: [
        ...gatewayConditions(gateway, listeners, options),
        ...(backendCertificate ? [backendCertificateCondition(gateway, backendCertificate)] : []),
      ],
      listeners: listeners.map((l) => ({
        name: l.spec.name,
        supportedKinds: l.supportedKinds,
        attachedRoutes: attachedRoutes(l),
        conditions: l.conditions,
      })),
    },
  };
}

/**
 * Accepted follows the listeners. Programmed is only written on the host: in Kubernetes it depends on the
 * Envoy Service's address and replicas, which the infra side observes (as Envoy Gateway's provider does).
 */
function gatewayConditions(
  gateway: Gateway,
  listeners: readonly ListenerContext[],
  options: TranslateOptions,
): Condition[] {
  const { generation } = gateway.metadata;
  const badAddress = unsupportedAddress(gateway);
  if (badAddress) {
    const accepted = condition('Accepted', 'False', 'UnsupportedAddress', `${badAddress}.`, generation);
    if (!options.runningOnHost) return [accepted];
    return [accepted, condition('Programmed', 'False', 'Invalid', 'The Gateway is not accepted', generation)];
  }
  const invalid = listeners.filter((l) => !l.accepted).map((l) => l.spec.name);
  const accepted =
    invalid.length === 0
      ? condition('Accepted', 'True', 'Accepted', 'The Gateway has been scheduled by Envoy Gateway', generation)
      : invalid.length < listeners.length
        ? condition(
            'Accepted',
            'True',
            'ListenersNotValid',
            `${invalid.length} of ${listeners.length} listeners are not valid: ${invalid.join(', ')}`,
            generation,
          )
        : condition('Accepted', 'False', 'ListenersNotValid', 'No listener of the Gateway is valid', generation);
  // Gateway API asks for a warning condition whenever clients may get in without a valid certificate.
  const insecure = gatewayInsecureValidation(gateway);
  const warnings = insecure
    ? [condition('InsecureFrontendValidationMode', 'True', 'ConfigurationChanged', insecure, generation)]
    : [];
  if (!options.runningOnHost) return [accepted, ...warnings];
  const programmed = listeners.some((l) => l.programmed)
    ? condition('Programmed', 'True', 'Programmed', 'Sending translated configuration to the data plane', generation)
    : condition('Programmed', 'False', 'Invalid', 'No listener of the Gateway is programmed', generation);
  return [accepted, programmed, ...warnings];
}

/**
 * The client certificate for backends (`spec.tls.backend.clientCertificateRef`), resolved like a listener
 * certificate. A bad one leaves the Gateway accepted; backends then get no client certificate.
 */
export function resolveBackendClientCertificate(gateway: Gateway, index: ResourceIndex): TLSResolution | undefined {
  const ref = gateway.spec.backendClientCertificateRef;
  return ref && resolveListenerTLS(gateway, [ref], index);
}

function backendCertificateCondition(gateway: Gateway, resolution: TLSResolution): Condition {
  const { generation } = gateway.metadata;
  if (resolution.valid) {
    return condition('ResolvedRefs', 'True', 'ResolvedRefs', 'Client certificate for backends resolved', generation);
  }
  const { reason, message } = resolution.problem;
  const why = reason === 'RefNotPermitted' ? reason : 'InvalidClientCertificateRef';
  return condition('ResolvedRefs', 'False', why, `spec.tls.backend.clientCertificateRef: ${message}`, generation);
}

function gatewayInsecureValidation(gateway: Gateway): string | undefined {
  const frontend = gateway.spec.frontendValidation;
  const modes = [frontend?.default, ...(frontend?.perPort.map((p) => p.validation) ?? [])];
  if (!modes.some((v) => v?.mode === 'AllowInsecureFallback')) return undefined;
  return 'Client certificate validation uses AllowInsecureFallback: clients without a valid certificate are accepted';
}

/** The fleet one Gateway needs; ports are unique per Gateway, the first listener on a port names it. */
export function gatewayInfraIR(
  gateway: Gateway,
  listeners: readonly ListenerContext[],
  kubernetes: KubernetesProxyConfig | undefined,
): InfraIR {
  const { namespace, name } = gateway.metadata;
  // The Envoy Service can be asked for IP addresses only; other requested types are reported, not applied.
  const addresses = gateway.spec.addresses.flatMap((a) => (a.type === 'IPAddress' && a.value ? [a.value] : []));
  const seenPorts = new Set<string>();
  const proxyListeners = [];
  for (const l of listeners) {
    // TCP and UDP have separate port spaces: a Gateway may use 6000/TCP and 6000/UDP.
    const transport = l.spec.protocol === 'UDP' ? 'UDP' : 'TCP';
    const portKey = `${transport}/${l.spec.port}`;
    if (!l.programmed || seenPorts.has(portKey)) continue;
    seenPorts.add(portKey);
    // Only listeners with a supported protocol are programmed.
    const protocol = l.spec.protocol as ListenerPort['protocol'];
    const port: ListenerPort = {
      name: `${protocol.toLowerCase()}-${l.spec.port}`,
      protocol,
      servicePort: l.spec.port,
      containerPort: l.containerPort,
    };
    proxyListeners.push({ name: l.irName, ports: [port] });
  }
  return {
    proxy: {
      name: gatewayIRKey(namespace, name),
      namespace: DEFAULT_NAMESPACE,
      labels: { [OWNING_GATEWAY_NAME_LABEL]: name, [OWNING_GATEWAY_NAMESPACE_LABEL]: namespace },
      listeners: proxyListeners,
      ...(addresses.length > 0 && { addresses }),
      ...(kubernetes && { kubernetes }),
      ...(infrastructureMetadata(gateway) ?? {}),
    },
  };
}

export function xdsListener(listener: ListenerContext, routes: readonly IRRoute[], grpc: boolean): HTTPListener {
  const { gateway, spec } = listener;
  return {
    name: listener.irName,
    address: '0.0.0.0',
    port: listener.containerPort,
    externalPort: spec.port,
    hostnames: [spec.hostname ?? '*'],
    ...(listener.serve?.type === 'HTTPS' && { tls: listener.serve.tls }),
    ...(grpc && { grpc: true as const }),
    routes,
    metadata: {
      kind: 'Gateway',
      namespace: gateway.metadata.namespace,
      name: gateway.metadata.name,
      sectionName: spec.name,
    },
  };
}

/** Gateway `spec.infrastructure` labels and annotations, as the infra IR carries them (absent when none). */
function infrastructureMetadata(gateway: Gateway): { metadata: NonNullable<InfraIR['proxy']['metadata']> } | undefined {
  const { labels, annotations } = gateway.spec.infrastructure ?? {};
  if (!labels && !annotations) return undefined;
  return { metadata: { ...(labels && { labels }), ...(annotations && { annotations }) } };
}
