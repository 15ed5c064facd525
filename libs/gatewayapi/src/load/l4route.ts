import {
  CORE_GROUP,
  type BackendRef,
  type L4RouteRule,
  type TCPRoute,
  type TLSRoute,
  type UDPRoute,
} from '../resources.ts';
import { defaulted, field, integer, list, object, optional, type Fields, type Path, type Problems } from './decode.ts';
import { group, hostname, kind, namespaceName, objectName, port, sectionName } from './formats.ts';
import { checkParentRefs, parentRef } from './httproute.ts';
import { objectMeta } from './metadata.ts';

/** TLSRoute, TCPRoute and UDPRoute share parentRefs and rules of backendRefs; only TLSRoute has hostnames. */
function commonSpec(doc: Fields, problems: Problems) {
  const spec = object(doc['spec'], ['spec'], problems);
  const metadata = objectMeta(doc['metadata'], ['metadata'], problems);
  const parentRefs = defaulted(spec, 'parentRefs', list(parentRef, { max: 32 }), [], ['spec'], problems);
  checkParentRefs(parentRefs, metadata.namespace, ['spec', 'parentRefs'], problems);
  const rules = field(spec, 'rules', list(rule, { min: 1, max: 16 }), ['spec'], problems);
  return { spec, metadata, parentRefs, rules };
}

export function decodeTLSRoute(doc: Fields, problems: Problems): TLSRoute {
  const { spec, metadata, parentRefs, rules } = commonSpec(doc, problems);
  const hostnames = defaulted(spec, 'hostnames', list(hostname, { max: 16 }), [], ['spec'], problems);
  return { kind: 'TLSRoute', metadata, spec: { parentRefs, hostnames, rules } };
}

export function decodeTCPRoute(doc: Fields, problems: Problems): TCPRoute {
  const { metadata, parentRefs, rules } = commonSpec(doc, problems);
  return { kind: 'TCPRoute', metadata, spec: { parentRefs, rules } };
}

export function decodeUDPRoute(doc: Fields, problems: Problems): UDPRoute {
  const { metadata, parentRefs, rules } = commonSpec(doc, problems);
  return { kind: 'UDPRoute', metadata, spec: { parentRefs, rules } };
}

function rule(value: unknown, path: Path, problems: Problems): L4RouteRule {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', sectionName, path, problems);
  return {
    ...(name !== undefined && { name }),
    backendRefs: field(fields, 'backendRefs', list(backendRef, { min: 1, max: 16 }), path, problems),
  };
}

function backendRef(value: unknown, path: Path, problems: Problems): BackendRef {
  const fields = object(value, path, problems);
  const refGroup = defaulted(fields, 'group', group, CORE_GROUP, path, problems);
  const refKind = defaulted(fields, 'kind', kind, 'Service', path, problems);
  const namespace = optional(fields, 'namespace', namespaceName, path, problems);
  const refPort = optional(fields, 'port', port, path, problems);
  if (refGroup === CORE_GROUP && refKind === 'Service' && refPort === undefined) {
    problems.add([...path, 'port'], 'is required for a Service reference');
  }
  return {
    group: refGroup,
    kind: refKind,
    name: field(fields, 'name', objectName, path, problems),
    ...(namespace !== undefined && { namespace }),
    ...(refPort !== undefined && { port: refPort }),
    weight: defaulted(fields, 'weight', integer(0, 1_000_000), 1, path, problems),
  };
}
