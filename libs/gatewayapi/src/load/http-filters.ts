import {
  CORE_GROUP,
  type BackendObjectReference,
  type CORSFilter,
  type HeaderModifier,
  type HTTPHeader,
  type HTTPRouteFilter,
  type HTTPRouteMatch,
  type MirrorFraction,
  type PathModifier,
  type RequestRedirect,
  type URLRewrite,
} from '../resources.ts';
import {
  boolean,
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
  type Decoder,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import {
  checkPathValue,
  group,
  headerName,
  kind,
  namespaceName,
  objectName,
  port,
  preciseHostname,
} from './formats.ts';

/** The filter type -> the field that must carry its configuration (CEL: set exactly when the type says so). */
const CONFIG_FIELD = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  RequestMirror: 'requestMirror',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
} as const satisfies Record<HTTPRouteFilter['type'], string>;

type FilterType = keyof typeof CONFIG_FIELD;
const FILTER_TYPES = Object.keys(CONFIG_FIELD) as FilterType[];
/** The filter types a GRPCRoute accepts. */
const GRPC_FILTER_TYPES: readonly FilterType[] = [
  'ResponseHeaderModifier',
  'RequestHeaderModifier',
  'RequestMirror',
  'ExtensionRef',
];

/** One HTTPRoute filter, with the CEL rule that only the field matching `type` is set (and that one is required). */
export const httpRouteFilter = routeFilter(FILTER_TYPES);
/** One GRPCRoute filter: an HTTPRoute filter of the types GRPCRoute allows. */
export const grpcRouteFilter = routeFilter(GRPC_FILTER_TYPES);

function routeFilter(types: readonly FilterType[]): Decoder<HTTPRouteFilter> {
  return (value, path, problems) => decodeFilter(value, types, path, problems);
}

function decodeFilter(value: unknown, types: readonly FilterType[], path: Path, problems: Problems): HTTPRouteFilter {
  const fields = object(value, path, problems);
  const type = field(fields, 'type', oneOf(types), path, problems);
  for (const [other, key] of Object.entries(CONFIG_FIELD)) {
    if (other !== type && !isAbsent(fields[key]))
      problems.add([...path, key], `must be nil if the filter.type is not ${other}`);
  }
  switch (type) {
    case 'RequestHeaderModifier':
      return { type, requestHeaderModifier: field(fields, 'requestHeaderModifier', headerModifier, path, problems) };
    case 'ResponseHeaderModifier':
      return { type, responseHeaderModifier: field(fields, 'responseHeaderModifier', headerModifier, path, problems) };
    case 'RequestRedirect':
      return { type, requestRedirect: field(fields, 'requestRedirect', requestRedirect, path, problems) };
    case 'URLRewrite':
      return { type, urlRewrite: field(fields, 'urlRewrite', urlRewrite, path, problems) };
    case 'RequestMirror':
      return { type, requestMirror: field(fields, 'requestMirror', requestMirror, path, problems) };
    case 'ExtensionRef':
      return { type, extensionRef: field(fields, 'extensionRef', localObjectReference, path, problems) };
    case 'CORS':
      return { type, cors: field(fields, 'cors', corsFilter, path, problems) };
  }
}

/**
 * The CEL rules that tie a rule's filters together: each of the header modifiers, RequestRedirect, URLRewrite and
 * CORS at most once, RequestRedirect not with URLRewrite, ReplacePrefixMatch only with one PathPrefix match.
 */
export function checkRuleFilters(
  filters: readonly HTTPRouteFilter[],
  matches: readonly HTTPRouteMatch[] | undefined,
  path: Path,
  problems: Problems,
): void {
  checkUniqueFilters(filters, path, problems);
  if (filters.some((f) => f.type === 'RequestRedirect') && filters.some((f) => f.type === 'URLRewrite')) {
    problems.add([...path, 'filters'], 'may specify either RequestRedirect or URLRewrite, but not both');
  }
  filters.forEach((f, i) => {
    const modifier =
      f.type === 'RequestRedirect' ? f.requestRedirect.path : f.type === 'URLRewrite' ? f.urlRewrite.path : undefined;
    if (modifier?.type !== 'ReplacePrefixMatch') return;
    const single = matches?.length === 1 && matches[0]?.path.type === 'PathPrefix';
    if (!single) {
      problems.add(
        [...path, 'filters', i],
        `${f.type} with path.type ReplacePrefixMatch needs exactly one match, of path.type PathPrefix`,
      );
    }
  });
}

/** CEL: the header modifiers, RequestRedirect, URLRewrite and CORS each at most once in a list of filters. */
export function checkUniqueFilters(filters: readonly HTTPRouteFilter[], path: Path, problems: Problems): void {
  for (const once of [
    'RequestHeaderModifier',
    'ResponseHeaderModifier',
    'RequestRedirect',
    'URLRewrite',
    'CORS',
  ] as const) {
    if (filters.filter((f) => f.type === once).length > 1) {
      problems.add([...path, 'filters'], `${once} filter cannot be repeated`);
    }
  }
}

function headerModifier(value: unknown, path: Path, problems: Problems): HeaderModifier {
  const fields = object(value, path, problems);
  const set = defaulted(fields, 'set', list(httpHeader, { max: 16 }), [], path, problems);
  const add = defaulted(fields, 'add', list(httpHeader, { max: 16 }), [], path, problems);
  const remove = defaulted(fields, 'remove', list(headerName, { max: 16 }), [], path, problems);
  const lower = (name: string) => name.toLowerCase();
  checkUnique(set, (h) => lower(h.name), [...path, 'set'], 'header name', problems);
  checkUnique(add, (h) => lower(h.name), [...path, 'add'], 'header name', problems);
  checkUnique(remove, lower, [...path, 'remove'], 'header name', problems);
  return { set, add, remove };
}

function httpHeader(value: unknown, path: Path, problems: Problems): HTTPHeader {
  const fields = object(value, path, problems);
  return {
    name: field(fields, 'name', headerName, path, problems),
    value: field(fields, 'value', headerValue, path, problems),
  };
}

/** The CRD's origin pattern: `*`, or scheme://host[:port] where `*` may stand for the host or its leading labels. */
const corsOrigin = string({
  max: 253,
  pattern: /^(\*|https?:\/\/((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:[0-9]{1,5})?)$/,
  format: "'*' or scheme://host[:port] with http or https, where '*' may only be the host or its first label",
});

const corsMethod = oneOf(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']);

function corsFilter(value: unknown, path: Path, problems: Problems): CORSFilter {
  const fields = object(value, path, problems);
  const allowOrigins = defaulted(fields, 'allowOrigins', list(corsOrigin, { max: 64 }), [], path, problems);
  const allowMethods = defaulted(fields, 'allowMethods', list(corsMethod, { max: 9 }), [], path, problems);
  const allowHeaders = defaulted(fields, 'allowHeaders', list(headerName, { max: 64 }), [], path, problems);
  const exposeHeaders = defaulted(fields, 'exposeHeaders', list(headerName, { max: 64 }), [], path, problems);
  const sets = { allowOrigins, allowMethods, allowHeaders, exposeHeaders };
  for (const key of Object.keys(sets)) checkSet(fields, key, path, problems);
  for (const key of ['allowOrigins', 'allowMethods'] as const) {
    if (sets[key].includes('*') && sets[key].length > 1) {
      problems.add(
        [...path, key],
        `cannot contain '*' alongside other ${key === 'allowOrigins' ? 'origins' : 'methods'}`,
      );
    }
  }
  return {
    ...sets,
    allowCredentials: defaulted(fields, 'allowCredentials', boolean, false, path, problems),
    maxAge: defaulted(fields, 'maxAge', integer(1, 2 ** 31 - 1), 5, path, problems),
  };
}

/** RFC 7230 field values: Envoy rejects a whole route table for one value with NUL, CR or LF. */
export const headerValue = string({
  min: 1,
  max: 4096,
  pattern: /^[^\0\r\n]*$/,
  format: 'a header value without NUL, CR or LF characters',
});

function pathModifier(value: unknown, path: Path, problems: Problems): PathModifier {
  const fields = object(value, path, problems);
  const type = field(fields, 'type', oneOf(['ReplaceFullPath', 'ReplacePrefixMatch']), path, problems);
  const key = type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
  const other = type === 'ReplaceFullPath' ? 'replacePrefixMatch' : 'replaceFullPath';
  if (!isAbsent(fields[other])) problems.add([...path, other], `must not be set when type is ${type}`);
  const modifierValue = field(fields, key, string({ max: 1024 }), path, problems);
  if (modifierValue !== '') checkPathValue(modifierValue, [...path, key], problems);
  return { type, value: modifierValue === '' ? '/' : modifierValue };
}

function requestRedirect(value: unknown, path: Path, problems: Problems): RequestRedirect {
  const fields = object(value, path, problems);
  const scheme = optional(fields, 'scheme', oneOf(['http', 'https']), path, problems);
  const hostname = optional(fields, 'hostname', preciseHostname, path, problems);
  const redirectPath = optional(fields, 'path', pathModifier, path, problems);
  const redirectPort = optional(fields, 'port', port, path, problems);
  const statusCode = defaulted(fields, 'statusCode', statusCodeDecoder, 302, path, problems);
  return {
    ...(scheme !== undefined && { scheme }),
    ...(hostname !== undefined && { hostname }),
    ...(redirectPath !== undefined && { path: redirectPath }),
    ...(redirectPort !== undefined && { port: redirectPort }),
    statusCode,
  };
}

const statusCodeDecoder: Decoder<RequestRedirect['statusCode']> = (value, path, problems) => {
  if (value === 301 || value === 302 || value === 303 || value === 307 || value === 308) return value;
  problems.add(path, 'must be one of 301, 302, 303, 307, 308');
  return 302;
};

function urlRewrite(value: unknown, path: Path, problems: Problems): URLRewrite {
  const fields = object(value, path, problems);
  const hostname = optional(fields, 'hostname', preciseHostname, path, problems);
  const rewritePath = optional(fields, 'path', pathModifier, path, problems);
  return {
    ...(hostname !== undefined && { hostname }),
    ...(rewritePath !== undefined && { path: rewritePath }),
  };
}

function requestMirror(
  value: unknown,
  path: Path,
  problems: Problems,
): { backendRef: BackendObjectReference; fraction?: MirrorFraction } {
  const fields = object(value, path, problems);
  const backendRef = field(fields, 'backendRef', backendObjectReference, path, problems);
  const percent = optional(fields, 'percent', integer(0, 100), path, problems);
  const fraction = optional(fields, 'fraction', mirrorFraction, path, problems);
  if (percent !== undefined && fraction !== undefined) {
    problems.add(path, 'only one of percent or fraction may be specified');
  }
  const share = percent !== undefined ? { numerator: percent, denominator: 100 } : fraction;
  return { backendRef, ...(share !== undefined && { fraction: share }) };
}

function mirrorFraction(value: unknown, path: Path, problems: Problems): MirrorFraction {
  const fields = object(value, path, problems);
  const numerator = field(fields, 'numerator', integer(0, 2 ** 31 - 1), path, problems);
  const denominator = defaulted(fields, 'denominator', integer(1, 2 ** 31 - 1), 100, path, problems);
  if (numerator > denominator) problems.add([...path, 'numerator'], 'must be less than or equal to denominator');
  return { numerator, denominator };
}

/** A backend reference: Service by default, whose port is then required. */
export function backendObjectReference(value: unknown, path: Path, problems: Problems): BackendObjectReference {
  const fields = object(value, path, problems);
  return backendObjectReferenceFields(fields, path, problems);
}

export function backendObjectReferenceFields(fields: Fields, path: Path, problems: Problems): BackendObjectReference {
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
  };
}

function localObjectReference(value: unknown, path: Path, problems: Problems) {
  const fields = object(value, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    name: field(fields, 'name', objectName, path, problems),
  };
}
