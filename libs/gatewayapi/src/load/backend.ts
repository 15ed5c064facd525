import type { Backend, BackendEndpoint } from '../resources.ts';
import {
  defaulted,
  field,
  integer,
  list,
  object,
  oneOf,
  string,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { ipAddress, preciseHostname } from './formats.ts';
import { objectMeta } from './metadata.ts';

/** Envoy Gateway's Backend (gateway.envoyproxy.io/v1alpha1): the way standalone routes reach their servers. */
export function decodeBackend(doc: Fields, problems: Problems): Backend {
  const spec = object(doc['spec'], ['spec'], problems);
  const type = defaulted(spec, 'type', oneOf(['Endpoints', 'DynamicResolver']), 'Endpoints', ['spec'], problems);
  const endpoints = defaulted(spec, 'endpoints', list(endpoint, { min: 1, max: 64 }), [], ['spec'], problems);
  const fqdns = endpoints.filter((e) => e.type === 'FQDN').length;
  if (fqdns > 0 && fqdns < endpoints.length) {
    problems.add(['spec', 'endpoints'], 'fqdn addresses cannot be mixed with other address types');
  }
  if (type === 'DynamicResolver' && endpoints.length > 0) {
    problems.add(['spec', 'endpoints'], 'DynamicResolver type cannot have endpoints specified');
  }
  return { kind: 'Backend', metadata: objectMeta(doc['metadata'], ['metadata'], problems), spec: { type, endpoints } };
}

const endpointPort = integer(0, 65535);

function endpoint(value: unknown, path: Path, problems: Problems): BackendEndpoint {
  const fields = object(value, path, problems);
  const given = ['ip', 'fqdn', 'unix'].filter((k) => fields[k] !== undefined && fields[k] !== null);
  if (given.length !== 1) {
    problems.add(path, 'exactly one of fqdn, ip or unix must be specified');
    return { type: 'Unix', path: '' };
  }
  const at = [...path, given[0] as string];
  const inner = object(fields[given[0] as string], at, problems);
  switch (given[0]) {
    case 'ip':
      return {
        type: 'IP',
        address: field(inner, 'address', ipAddress, at, problems),
        port: field(inner, 'port', endpointPort, at, problems),
      };
    case 'fqdn':
      return {
        type: 'FQDN',
        hostname: field(inner, 'hostname', preciseHostname, at, problems),
        port: field(inner, 'port', endpointPort, at, problems),
      };
    default:
      return { type: 'Unix', path: field(inner, 'path', string({ min: 1, max: 108 }), at, problems) };
  }
}
