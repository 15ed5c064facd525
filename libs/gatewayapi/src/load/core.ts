import type { EndpointSlice, Namespace, Service, ServicePort } from '../resources.ts';
import {
  boolean,
  defaulted,
  field,
  integer,
  list,
  object,
  oneOf,
  optional,
  string,
  type Decoder,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { port } from './formats.ts';
import { clusterObjectMeta, objectMeta } from './metadata.ts';

const protocol = oneOf(['TCP', 'UDP', 'SCTP']);
const portName = string({ max: 63 });

/** `targetPort`: a port number or the name of a container port. */
const targetPort: Decoder<number | string> = (value, path, problems) =>
  typeof value === 'string' ? string({ min: 1, max: 15 })(value, path, problems) : port(value, path, problems);

export function decodeService(doc: Fields, problems: Problems): Service {
  const spec = object(doc['spec'], ['spec'], problems);
  return {
    kind: 'Service',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: { ports: defaulted(spec, 'ports', list(servicePort), [], ['spec'], problems) },
  };
}

export function servicePort(value: unknown, path: Path, problems: Problems): ServicePort {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', portName, path, problems);
  const target = optional(fields, 'targetPort', targetPort, path, problems);
  const appProtocol = optional(fields, 'appProtocol', string({ min: 1, max: 253 }), path, problems);
  return {
    ...(name !== undefined && { name }),
    port: field(fields, 'port', port, path, problems),
    ...(target !== undefined && { targetPort: target }),
    ...(appProtocol !== undefined && { appProtocol }),
    protocol: defaulted(fields, 'protocol', protocol, 'TCP', path, problems),
  };
}

export function decodeEndpointSlice(doc: Fields, problems: Problems): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    addressType: field(doc, 'addressType', oneOf(['IPv4', 'IPv6', 'FQDN']), [], problems),
    endpoints: field(doc, 'endpoints', list(sliceEndpoint, { max: 1000 }), [], problems),
    ports: defaulted(doc, 'ports', list(slicePort, { max: 100 }), [], [], problems),
  };
}

function sliceEndpoint(value: unknown, path: Path, problems: Problems): EndpointSlice['endpoints'][number] {
  const fields = object(value, path, problems);
  const conditions = optional(fields, 'conditions', object, path, problems) ?? {};
  const ready = optional(conditions, 'ready', boolean, [...path, 'conditions'], problems);
  return {
    addresses: field(fields, 'addresses', list(string({ min: 1 }), { min: 1, max: 100 }), path, problems),
    ...(ready !== undefined && { ready }),
  };
}

function slicePort(value: unknown, path: Path, problems: Problems): EndpointSlice['ports'][number] {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', portName, path, problems);
  const number = optional(fields, 'port', integer(0, 65535), path, problems);
  return {
    ...(name !== undefined && { name }),
    ...(number !== undefined && { port: number }),
    protocol: defaulted(fields, 'protocol', protocol, 'TCP', path, problems),
  };
}

export function decodeNamespace(doc: Fields, problems: Problems): Namespace {
  return { kind: 'Namespace', metadata: clusterObjectMeta(doc['metadata'], ['metadata'], problems) };
}
