import type { GRPCMethodMatch, GRPCRoute, GRPCRouteMatch, GRPCRouteRule, HTTPBackendRef } from '../resources.ts';
import {
  checkUnique,
  defaulted,
  integer,
  isAbsent,
  list,
  object,
  oneOf,
  optional,
  string,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { hostname, sectionName } from './formats.ts';
import { backendObjectReferenceFields, checkUniqueFilters, grpcRouteFilter } from './http-filters.ts';
import { checkParentRefs, nameValueMatch, parentRef } from './httproute.ts';
import { objectMeta } from './metadata.ts';

/** Rule fields that are schema-valid but not translated yet. */
const UNIMPLEMENTED_RULE_FIELDS = ['sessionPersistence'];
/** CEL: the characters an Exact service match may use (a protobuf package-qualified name). */
const SERVICE_NAME = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
/** CEL: the characters an Exact method match may use. */
const METHOD_NAME = /^[A-Za-z_][A-Za-z_0-9]*$/;

export function decodeGRPCRoute(doc: Fields, problems: Problems): GRPCRoute {
  const spec = object(doc['spec'], ['spec'], problems);
  const metadata = objectMeta(doc['metadata'], ['metadata'], problems);
  const parentRefs = defaulted(spec, 'parentRefs', list(parentRef, { max: 32 }), [], ['spec'], problems);
  checkParentRefs(parentRefs, metadata.namespace, ['spec', 'parentRefs'], problems);
  const hostnames = defaulted(spec, 'hostnames', list(hostname, { max: 16 }), [], ['spec'], problems);
  const rules = defaulted(spec, 'rules', list(rule, { max: 16 }), [], ['spec'], problems);
  // Unnamed rules get a key no valid name can take, so only real names are compared.
  checkUnique(
    rules.map((r, i) => r.name ?? `#${i}`),
    (n) => n,
    ['spec', 'rules'],
    'rule name',
    problems,
  );
  return { kind: 'GRPCRoute', metadata, spec: { parentRefs, hostnames, rules } };
}

function rule(value: unknown, path: Path, problems: Problems): GRPCRouteRule {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', sectionName, path, problems);
  const matches = defaulted(fields, 'matches', list(match, { max: 8 }), [], path, problems);
  const filters = defaulted(fields, 'filters', list(grpcRouteFilter, { max: 16 }), [], path, problems);
  checkUniqueFilters(filters, path, problems);
  const backendRefs = defaulted(fields, 'backendRefs', list(backendRef, { max: 16 }), [], path, problems);
  backendRefs.forEach((ref, i) => checkUniqueFilters(ref.filters, [...path, 'backendRefs', i], problems));
  return {
    ...(name !== undefined && { name }),
    matches,
    filters,
    backendRefs,
    unimplementedFields: UNIMPLEMENTED_RULE_FIELDS.filter((f) => !isAbsent(fields[f])),
  };
}

function match(value: unknown, path: Path, problems: Problems): GRPCRouteMatch {
  const fields = object(value, path, problems);
  const method = optional(fields, 'method', methodMatch, path, problems);
  const headers = defaulted(fields, 'headers', list(nameValueMatch(4096), { max: 16 }), [], path, problems);
  checkUnique(headers, (h) => h.name, [...path, 'headers'], 'header name', problems);
  return { ...(method !== undefined && { method }), headers };
}

/** The CEL rules of GRPCMethodMatch: service or method (or both), and Exact names made of valid characters. */
function methodMatch(value: unknown, path: Path, problems: Problems): GRPCMethodMatch {
  const fields = object(value, path, problems);
  const type = defaulted(fields, 'type', oneOf(['Exact', 'RegularExpression']), 'Exact', path, problems);
  const service = optional(fields, 'service', string({ max: 1024 }), path, problems);
  const method = optional(fields, 'method', string({ max: 1024 }), path, problems);
  if (service === undefined && method === undefined) {
    problems.add(path, "one or both of 'service' or 'method' must be specified");
  }
  if (type === 'Exact' && service !== undefined && !SERVICE_NAME.test(service)) {
    problems.add(
      [...path, 'service'],
      `must only contain valid characters (matching ${SERVICE_NAME.source}, any case)`,
    );
  }
  if (type === 'Exact' && method !== undefined && !METHOD_NAME.test(method)) {
    problems.add([...path, 'method'], `must only contain valid characters (matching ${METHOD_NAME.source})`);
  }
  return { type, ...(service !== undefined && { service }), ...(method !== undefined && { method }) };
}

function backendRef(value: unknown, path: Path, problems: Problems): HTTPBackendRef {
  const fields = object(value, path, problems);
  return {
    ...backendObjectReferenceFields(fields, path, problems),
    weight: defaulted(fields, 'weight', integer(0, 1_000_000), 1, path, problems),
    filters: defaulted(fields, 'filters', list(grpcRouteFilter, { max: 16 }), [], path, problems),
  };
}
