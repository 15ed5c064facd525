import {
  GATEWAY_API_GROUP,
  type AllowedRoutes,
  type ClientCertificateValidation,
  type FrontendValidation,
  type Gateway,
  type GatewayAddress,
  type GatewayClass,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Listener,
  type ListenerTLS,
  type ParametersReference,
  type ReferenceGrant,
  type RouteGroupKind,
  type RouteNamespaces,
  type SecretObjectReference,
} from '../resources.ts';
import {
  checkUnique,
  defaulted,
  field,
  list,
  object,
  oneOf,
  optional,
  string,
  stringMap,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import {
  controllerName,
  group,
  hostname,
  ipAddress,
  kind,
  listenerProtocol,
  namespaceName,
  objectName,
  port,
  preciseHostname,
  sectionName,
} from './formats.ts';
import { clusterObjectMeta, objectMeta } from './metadata.ts';

export function decodeGatewayClass(doc: Fields, problems: Problems): GatewayClass {
  const spec = object(doc['spec'], ['spec'], problems);
  const description = optional(spec, 'description', string({ max: 64 }), ['spec'], problems);
  const parametersRef = optional(spec, 'parametersRef', parametersReference, ['spec'], problems);
  return {
    kind: 'GatewayClass',
    metadata: clusterObjectMeta(doc['metadata'], ['metadata'], problems),
    spec: {
      controllerName: field(spec, 'controllerName', controllerName, ['spec'], problems),
      ...(description !== undefined && { description }),
      ...(parametersRef !== undefined && { parametersRef }),
    },
  };
}

function parametersReference(value: unknown, path: Path, problems: Problems): ParametersReference {
  const fields = object(value, path, problems);
  const namespace = optional(fields, 'namespace', namespaceName, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    name: field(fields, 'name', string({ min: 1, max: 253 }), path, problems),
    ...(namespace !== undefined && { namespace }),
  };
}

export function decodeGateway(doc: Fields, problems: Problems): Gateway {
  const spec = object(doc['spec'], ['spec'], problems);
  const listeners = field(spec, 'listeners', list(listener, { min: 1, max: 64 }), ['spec'], problems);
  checkListeners(listeners, ['spec', 'listeners'], problems);
  const addresses = defaulted(spec, 'addresses', list(gatewayAddress, { max: 16 }), [], ['spec'], problems);
  // CEL: IPAddress values are unique, and so are Hostname values.
  const seen = new Set<string>();
  addresses.forEach(({ type, value }, i) => {
    if (value === undefined || (type !== 'IPAddress' && type !== 'Hostname')) return;
    const key = `${type}/${value}`;
    if (seen.has(key)) problems.add(['spec', 'addresses', i], `${type} value ${JSON.stringify(value)} must be unique`);
    seen.add(key);
  });
  const tls = optional(spec, 'tls', object, ['spec'], problems);
  const frontendValidation = tls && optional(tls, 'frontend', frontendTLS, ['spec', 'tls'], problems);
  const backendTLS = tls && optional(tls, 'backend', object, ['spec', 'tls'], problems);
  const backendClientCertificateRef =
    backendTLS && optional(backendTLS, 'clientCertificateRef', secretRef, ['spec', 'tls', 'backend'], problems);
  const infrastructure = optional(spec, 'infrastructure', object, ['spec'], problems);
  const infraPath = ['spec', 'infrastructure'];
  const parametersRef =
    infrastructure && optional(infrastructure, 'parametersRef', parametersReference, infraPath, problems);
  const infraLabels = infrastructure && optional(infrastructure, 'labels', labelMap, infraPath, problems);
  const infraAnnotations =
    infrastructure && optional(infrastructure, 'annotations', annotationMap, infraPath, problems);
  return {
    kind: 'Gateway',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: {
      gatewayClassName: field(spec, 'gatewayClassName', string({ min: 1, max: 253 }), ['spec'], problems),
      listeners,
      addresses,
      ...((parametersRef || infraLabels || infraAnnotations) && {
        infrastructure: {
          ...(parametersRef && { parametersRef }),
          ...(infraLabels && { labels: infraLabels }),
          ...(infraAnnotations && { annotations: infraAnnotations }),
        },
      }),
      ...(frontendValidation && { frontendValidation }),
      ...(backendClientCertificateRef && { backendClientCertificateRef }),
    },
  };
}

function frontendTLS(value: unknown, path: Path, problems: Problems): FrontendValidation {
  const fields = object(value, path, problems);
  const byDefault = optional(fields, 'default', tlsConfig, path, problems);
  const perPort = defaulted(fields, 'perPort', list(portTLS, { max: 64 }), [], path, problems);
  checkUnique(perPort, (p) => String(p.port), [...path, 'perPort'], 'port', problems);
  return { ...(byDefault?.validation && { default: byDefault.validation }), perPort };
}

function portTLS(value: unknown, path: Path, problems: Problems) {
  const fields = object(value, path, problems);
  const validation = field(fields, 'tls', tlsConfig, path, problems).validation;
  return { port: field(fields, 'port', port, path, problems), ...(validation && { validation }) };
}

function tlsConfig(value: unknown, path: Path, problems: Problems): { validation?: ClientCertificateValidation } {
  const fields = object(value, path, problems);
  const validation = optional(fields, 'validation', clientValidation, path, problems);
  return validation ? { validation } : {};
}

function clientValidation(value: unknown, path: Path, problems: Problems): ClientCertificateValidation {
  const fields = object(value, path, problems);
  return {
    caCertificateRefs: field(fields, 'caCertificateRefs', list(caReference, { min: 1, max: 8 }), path, problems),
    mode: defaulted(
      fields,
      'mode',
      oneOf(['AllowValidOnly', 'AllowInsecureFallback']),
      'AllowValidOnly',
      path,
      problems,
    ),
  };
}

/** A reference to a CA or certificate object; group and kind say which (checked on translation). */
function caReference(value: unknown, path: Path, problems: Problems): SecretObjectReference {
  const fields = object(value, path, problems);
  const namespace = optional(fields, 'namespace', namespaceName, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    name: field(fields, 'name', objectName, path, problems),
    ...(namespace !== undefined && { namespace }),
  };
}

const ADDRESS_TYPE =
  /^Hostname$|^IPAddress$|^NamedAddress$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

function gatewayAddress(value: unknown, path: Path, problems: Problems): GatewayAddress {
  const fields = object(value, path, problems);
  const type = defaulted(
    fields,
    'type',
    string({
      min: 1,
      max: 253,
      pattern: ADDRESS_TYPE,
      format: 'Hostname, IPAddress, NamedAddress or a domain-prefixed type',
    }),
    'IPAddress',
    path,
    problems,
  );
  const decoder =
    type === 'IPAddress' ? ipAddress : type === 'Hostname' ? preciseHostname : string({ min: 1, max: 253 });
  const address = optional(fields, 'value', decoder, path, problems);
  return { type, ...(address !== undefined && { value: address }) };
}

function listener(value: unknown, path: Path, problems: Problems): Listener {
  const fields = object(value, path, problems);
  const host = optional(fields, 'hostname', hostname, path, problems);
  const tls = optional(fields, 'tls', listenerTLS, path, problems);
  return {
    name: field(fields, 'name', sectionName, path, problems),
    ...(host !== undefined && { hostname: host }),
    port: field(fields, 'port', port, path, problems),
    protocol: field(fields, 'protocol', listenerProtocol, path, problems),
    ...(tls !== undefined && { tls }),
    allowedRoutes: defaulted(fields, 'allowedRoutes', allowedRoutes, { namespaces: { from: 'Same' } }, path, problems),
  };
}

function listenerTLS(value: unknown, path: Path, problems: Problems): ListenerTLS {
  const fields = object(value, path, problems);
  return {
    mode: defaulted(fields, 'mode', oneOf(['Terminate', 'Passthrough']), 'Terminate', path, problems),
    certificateRefs: defaulted(fields, 'certificateRefs', list(secretRef, { max: 64 }), [], path, problems),
    options: defaulted(fields, 'options', stringMap, {}, path, problems),
  };
}

function secretRef(value: unknown, path: Path, problems: Problems): SecretObjectReference {
  const fields = object(value, path, problems);
  const namespace = optional(fields, 'namespace', namespaceName, path, problems);
  return {
    group: defaulted(fields, 'group', group, '', path, problems),
    kind: defaulted(fields, 'kind', kind, 'Secret', path, problems),
    name: field(fields, 'name', objectName, path, problems),
    ...(namespace !== undefined && { namespace }),
  };
}

function allowedRoutes(value: unknown, path: Path, problems: Problems): AllowedRoutes {
  const fields = object(value, path, problems);
  const kinds = optional(fields, 'kinds', list(routeGroupKind, { max: 8 }), path, problems);
  return {
    namespaces: defaulted(fields, 'namespaces', routeNamespaces, { from: 'Same' }, path, problems),
    ...(kinds !== undefined && { kinds }),
  };
}

function routeNamespaces(value: unknown, path: Path, problems: Problems): RouteNamespaces {
  const fields = object(value, path, problems);
  const from = defaulted(fields, 'from', oneOf(['All', 'Selector', 'Same']), 'Same', path, problems);
  if (from !== 'Selector') return { from };
  const selector = optional(fields, 'selector', labelSelector, path, problems);
  return selector ? { from, selector } : { from };
}

function routeGroupKind(value: unknown, path: Path, problems: Problems): RouteGroupKind {
  const fields = object(value, path, problems);
  return {
    group: defaulted(fields, 'group', group, GATEWAY_API_GROUP, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
  };
}

function labelSelector(value: unknown, path: Path, problems: Problems): LabelSelector {
  const fields = object(value, path, problems);
  return {
    matchLabels: defaulted(fields, 'matchLabels', stringMap, {}, path, problems),
    matchExpressions: defaulted(fields, 'matchExpressions', list(selectorRequirement), [], path, problems),
  };
}

function selectorRequirement(value: unknown, path: Path, problems: Problems): LabelSelectorRequirement {
  const fields = object(value, path, problems);
  const operator = field(fields, 'operator', oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), path, problems);
  const values = defaulted(fields, 'values', list(string()), [], path, problems);
  const needsValues = operator === 'In' || operator === 'NotIn';
  if (needsValues && values.length === 0)
    problems.add([...path, 'values'], `must not be empty for operator ${operator}`);
  if (!needsValues && values.length > 0) problems.add([...path, 'values'], `must be empty for operator ${operator}`);
  return { key: field(fields, 'key', string({ min: 1 }), path, problems), operator, values };
}

/** The CEL rules of `spec.listeners`. */
function checkListeners(listeners: readonly Listener[], path: Path, problems: Problems): void {
  checkUnique(listeners, (l) => l.name, path, 'listener name', problems);
  const combos = new Set<string>();
  listeners.forEach((l, i) => {
    const at = [...path, i];
    const combo = `${l.port}/${l.protocol}/${l.hostname ?? ''}`;
    if (combos.has(combo))
      problems.add(at, 'combination of port, protocol and hostname must be unique for each listener');
    combos.add(combo);
    if (l.tls && ['HTTP', 'TCP', 'UDP'].includes(l.protocol)) {
      problems.add([...at, 'tls'], `must not be specified for protocol ${l.protocol}`);
    }
    if (l.hostname !== undefined && ['TCP', 'UDP'].includes(l.protocol)) {
      problems.add([...at, 'hostname'], `must not be specified for protocol ${l.protocol}`);
    }
    if (l.protocol === 'HTTPS' && l.tls?.mode === 'Passthrough') {
      problems.add([...at, 'tls', 'mode'], 'must be Terminate for protocol HTTPS');
    }
    if ((l.protocol === 'TLS' || l.protocol === 'HTTPS') && !l.tls) {
      problems.add([...at, 'tls'], `must be set for protocol ${l.protocol}`);
    }
    if (l.tls?.mode === 'Terminate' && l.tls.certificateRefs.length === 0 && Object.keys(l.tls.options).length === 0) {
      problems.add([...at, 'tls'], 'certificateRefs or options must be specified when mode is Terminate');
    }
  });
}

export function decodeReferenceGrant(doc: Fields, problems: Problems): ReferenceGrant {
  const spec = object(doc['spec'], ['spec'], problems);
  return {
    kind: 'ReferenceGrant',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: {
      from: field(spec, 'from', list(grantFrom, { min: 1, max: 16 }), ['spec'], problems),
      to: field(spec, 'to', list(grantTo, { min: 1, max: 16 }), ['spec'], problems),
    },
  };
}

function grantFrom(value: unknown, path: Path, problems: Problems): ReferenceGrant['spec']['from'][number] {
  const fields = object(value, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    namespace: field(fields, 'namespace', namespaceName, path, problems),
  };
}

function grantTo(value: unknown, path: Path, problems: Problems): ReferenceGrant['spec']['to'][number] {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', objectName, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    ...(name !== undefined && { name }),
  };
}

/** Kubernetes label and annotation keys: an optional DNS-subdomain prefix and a name of up to 63 characters. */
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** `spec.infrastructure.labels`: at most 8, keys and values as Kubernetes labels allow. */
function labelMap(value: unknown, path: Path, problems: Problems): Readonly<Record<string, string>> {
  const map = metadataMap(value, path, problems);
  for (const [key, v] of Object.entries(map)) {
    if (v.length > 63 || !LABEL_VALUE.test(v)) problems.add([...path, key], 'must be a valid label value');
  }
  return map;
}

/** `spec.infrastructure.annotations`: at most 8, keys as Kubernetes allows, values of up to 4096 characters. */
function annotationMap(value: unknown, path: Path, problems: Problems): Readonly<Record<string, string>> {
  const map = metadataMap(value, path, problems);
  for (const [key, v] of Object.entries(map)) {
    if (v.length > 4096) problems.add([...path, key], 'must be at most 4096 characters');
  }
  return map;
}

function metadataMap(value: unknown, path: Path, problems: Problems): Readonly<Record<string, string>> {
  const map = stringMap(value, path, problems);
  if (Object.keys(map).length > 8) problems.add(path, 'must have at most 8 entries');
  for (const key of Object.keys(map)) {
    if (key.length > 317 || !QUALIFIED_NAME.test(key)) problems.add([...path, key], 'must be a valid key');
  }
  return map;
}
