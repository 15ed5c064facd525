import {
  GATEWAY_API_GROUP,
  type HTTPBackendRef,
  type HTTPRoute,
  type HTTPRouteMatch,
  type HTTPRouteRule,
  type NameValueMatch,
  type ParentReference,
  type RouteRetry,
  type RouteTimeouts,
} from '../resources.ts';
import {
  checkSet,
  checkUnique,
  defaulted,
  field,
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
import {
  checkPathValue,
  duration,
  group,
  headerName,
  hostname,
  kind,
  namespaceName,
  objectName,
  port,
  sectionName,
} from './formats.ts';
import { backendObjectReferenceFields, checkRuleFilters, httpRouteFilter } from './http-filters.ts';
import { objectMeta } from './metadata.ts';

const DEFAULT_MATCH: HTTPRouteMatch = { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] };
/** Rule fields that are schema-valid but not translated yet. */
const UNIMPLEMENTED_RULE_FIELDS = ['sessionPersistence'];

export function decodeHTTPRoute(doc: Fields, problems: Problems): HTTPRoute {
  const spec = object(doc['spec'], ['spec'], problems);
  const metadata = objectMeta(doc['metadata'], ['metadata'], problems);
  const parentRefs = defaulted(spec, 'parentRefs', list(parentRef, { max: 32 }), [], ['spec'], problems);
  checkParentRefs(parentRefs, metadata.namespace, ['spec', 'parentRefs'], problems);
  const hostnames = defaulted(spec, 'hostnames', list(hostname, { max: 16 }), [], ['spec'], problems);
  const rules = defaulted(spec, 'rules', list(rule, { max: 16 }), [defaultRule()], ['spec'], problems);
  // Unnamed rules get a key no valid name can take, so only real names are compared.
  const ruleNames = rules.map((r, i) => r.name ?? `#${i}`);
  checkUnique(ruleNames, (n) => n, ['spec', 'rules'], 'rule name', problems);
  const matchCount = rules.reduce((n, r) => n + r.matches.length, 0);
  if (matchCount >= 128) problems.add(['spec', 'rules'], 'must have fewer than 128 matches in total');
  return {
    kind: 'HTTPRoute',
    metadata,
    spec: {
      parentRefs,
      hostnames,
      rules,
    },
  };
}

function defaultRule(): HTTPRouteRule {
  return { matches: [DEFAULT_MATCH], filters: [], backendRefs: [], unimplementedFields: [] };
}

export function parentRef(value: unknown, path: Path, problems: Problems): ParentReference {
  const fields = object(value, path, problems);
  const namespace = optional(fields, 'namespace', namespaceName, path, problems);
  const section = optional(fields, 'sectionName', sectionName, path, problems);
  const parentPort = optional(fields, 'port', port, path, problems);
  return {
    group: defaulted(fields, 'group', group, GATEWAY_API_GROUP, path, problems),
    kind: defaulted(fields, 'kind', kind, 'Gateway', path, problems),
    ...(namespace !== undefined && { namespace }),
    name: field(fields, 'name', objectName, path, problems),
    ...(section !== undefined && { sectionName: section }),
    ...(parentPort !== undefined && { port: parentPort }),
  };
}

/** CEL: refs to the same parent must each name a distinct section. */
export function checkParentRefs(
  refs: readonly ParentReference[],
  routeNamespace: string,
  path: Path,
  problems: Problems,
): void {
  const byParent = new Map<string, ParentReference[]>();
  for (const ref of refs) {
    const key = `${ref.group}/${ref.kind}/${ref.namespace ?? routeNamespace}/${ref.name}`;
    byParent.set(key, [...(byParent.get(key) ?? []), ref]);
  }
  for (const same of byParent.values()) {
    if (same.length < 2) continue;
    const sections = same.map((r) => r.sectionName);
    if (sections.includes(undefined) || new Set(sections).size !== sections.length) {
      problems.add(
        path,
        'sectionName must be specified and unique when parentRefs includes 2 or more references to the same parent',
      );
      return;
    }
  }
}

function rule(value: unknown, path: Path, problems: Problems): HTTPRouteRule {
  const fields = object(value, path, problems);
  const name = optional(fields, 'name', sectionName, path, problems);
  const matches = optional(fields, 'matches', list(match, { max: 64 }), path, problems);
  const filters = defaulted(fields, 'filters', list(httpRouteFilter, { max: 16 }), [], path, problems);
  // An empty list means "match everything", as an absent one does.
  const effectiveMatches = matches === undefined || matches.length === 0 ? [DEFAULT_MATCH] : matches;
  checkRuleFilters(filters, effectiveMatches, path, problems);
  const backendRefs = defaulted(fields, 'backendRefs', list(backendRef, { max: 16 }), [], path, problems);
  backendRefs.forEach((ref, i) =>
    checkRuleFilters(ref.filters, effectiveMatches, [...path, 'backendRefs', i], problems),
  );
  const timeouts = optional(fields, 'timeouts', routeTimeouts, path, problems);
  const retry = optional(fields, 'retry', routeRetry, path, problems);
  return {
    ...(name !== undefined && { name }),
    matches: effectiveMatches,
    filters,
    backendRefs,
    ...(timeouts !== undefined && { timeouts }),
    ...(retry !== undefined && { retry }),
    unimplementedFields: UNIMPLEMENTED_RULE_FIELDS.filter((f) => !isAbsent(fields[f])),
  };
}

function routeRetry(value: unknown, path: Path, problems: Problems): RouteRetry {
  const fields = object(value, path, problems);
  const codes = defaulted(fields, 'codes', list(integer(400, 599)), [], path, problems);
  checkSet(fields, 'codes', path, problems);
  const attempts = optional(fields, 'attempts', integer(0, 2 ** 31 - 1), path, problems);
  const backoff = optional(fields, 'backoff', duration, path, problems);
  return {
    codes,
    ...(attempts !== undefined && { attempts }),
    ...(backoff !== undefined && { backoff }),
  };
}

function routeTimeouts(value: unknown, path: Path, problems: Problems): RouteTimeouts {
  const fields = object(value, path, problems);
  const request = optional(fields, 'request', duration, path, problems);
  const backendRequest = optional(fields, 'backendRequest', duration, path, problems);
  // CEL: a backend request cannot outlast the whole request (0 disables either).
  if (request && backendRequest && backendRequest > request) {
    problems.add([...path, 'backendRequest'], 'must be <= request timeout');
  }
  return {
    ...(request !== undefined && { request }),
    ...(backendRequest !== undefined && { backendRequest }),
  };
}

function match(value: unknown, path: Path, problems: Problems): HTTPRouteMatch {
  const fields = object(value, path, problems);
  const headers = defaulted(fields, 'headers', list(nameValueMatch(4096), { max: 16 }), [], path, problems);
  checkUnique(headers, (h) => h.name, [...path, 'headers'], 'header name', problems);
  const queryParams = defaulted(fields, 'queryParams', list(nameValueMatch(1024), { max: 16 }), [], path, problems);
  checkUnique(queryParams, (q) => q.name, [...path, 'queryParams'], 'query parameter name', problems);
  const method = optional(
    fields,
    'method',
    oneOf(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
    path,
    problems,
  );
  return {
    path: defaulted(fields, 'path', pathMatch, DEFAULT_MATCH.path, path, problems),
    headers,
    queryParams,
    ...(method !== undefined && { method }),
  };
}

function pathMatch(value: unknown, path: Path, problems: Problems): HTTPRouteMatch['path'] {
  const fields = object(value, path, problems);
  const type = defaulted(
    fields,
    'type',
    oneOf(['Exact', 'PathPrefix', 'RegularExpression']),
    'PathPrefix',
    path,
    problems,
  );
  const pathValue = defaulted(fields, 'value', string({ max: 1024 }), '/', path, problems);
  if (type !== 'RegularExpression') checkPathValue(pathValue, [...path, 'value'], problems);
  return { type, value: pathValue };
}

export function nameValueMatch(maxValue: number) {
  return (value: unknown, path: Path, problems: Problems): NameValueMatch => {
    const fields = object(value, path, problems);
    return {
      type: defaulted(fields, 'type', oneOf(['Exact', 'RegularExpression']), 'Exact', path, problems),
      name: field(fields, 'name', headerName, path, problems),
      value: field(fields, 'value', string({ min: 1, max: maxValue }), path, problems),
    };
  };
}

function backendRef(value: unknown, path: Path, problems: Problems): HTTPBackendRef {
  const fields = object(value, path, problems);
  return {
    ...backendObjectReferenceFields(fields, path, problems),
    weight: defaulted(fields, 'weight', integer(0, 1_000_000), 1, path, problems),
    filters: defaulted(fields, 'filters', list(httpRouteFilter, { max: 16 }), [], path, problems),
  };
}
