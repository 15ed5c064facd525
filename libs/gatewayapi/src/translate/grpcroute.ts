import type { GRPCMethodMatch, GRPCRoute, GRPCRouteMatch, GRPCRouteRule, HTTPRouteMatch } from '../resources.ts';
import type { RoutableMatch, RoutableRoute, RoutableRule } from './httproute-rules.ts';
import { grpcMethodSpecificity } from './precedence.ts';
import { isValidRegex } from './regex.ts';

/** RE2 for any gRPC service (a package-qualified name) and any method, where a method match leaves one out. */
const ANY_SERVICE = String.raw`\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*`;
const ANY_METHOD = '[A-Za-z_][A-Za-z_0-9]*';
/** A match without a method takes every gRPC request. */
const EVERY_REQUEST: HTTPRouteMatch['path'] = { type: 'PathPrefix', value: '/' };

/**
 * A GRPCRoute as the HTTP pipeline sees it. gRPC calls are HTTP/2 POSTs to `/<service>/<method>`, so a method
 * match is a path match: an exact service and method an exact path, a service alone a path prefix (whole
 * segment, so `/svc` never takes `/svcX/...`), anything else a regular expression over the path.
 */
export function routableGRPCRoute(route: GRPCRoute): RoutableRoute {
  const { parentRefs, hostnames, rules } = route.spec;
  return {
    kind: 'GRPCRoute',
    metadata: route.metadata,
    spec: { parentRefs, hostnames, rules: rules.map(routableRule) },
  };
}

function routableRule(rule: GRPCRouteRule): RoutableRule {
  const invalid = rule.matches.map(invalidPattern).find((problem) => problem !== undefined);
  return {
    ...(rule.name !== undefined && { name: rule.name }),
    matches: rule.matches.length === 0 ? [httpMatch({ headers: [] })] : rule.matches.map(httpMatch),
    filters: rule.filters,
    backendRefs: rule.backendRefs,
    unimplementedFields: rule.unimplementedFields,
    ...(invalid !== undefined && { invalid }),
  };
}

function httpMatch(match: GRPCRouteMatch): RoutableMatch {
  return {
    path: match.method ? methodPath(match.method) : EVERY_REQUEST,
    headers: match.headers,
    queryParams: [],
    specificity: grpcMethodSpecificity(match.method),
  };
}

function methodPath({ type, service, method }: GRPCMethodMatch): HTTPRouteMatch['path'] {
  if (type === 'Exact') {
    if (service !== undefined && method !== undefined) return { type: 'Exact', value: `/${service}/${method}` };
    if (service !== undefined) return { type: 'PathPrefix', value: `/${service}` };
    return { type: 'RegularExpression', value: `/${ANY_SERVICE}/${method ?? ANY_METHOD}` };
  }
  // Groups keep a user's alternation (`A|B`) inside its own path segment.
  const servicePattern = service !== undefined ? `(?:${service})` : ANY_SERVICE;
  const methodPattern = method !== undefined ? `(?:${method})` : ANY_METHOD;
  return { type: 'RegularExpression', value: `/${servicePattern}/${methodPattern}` };
}

/** Envoy rejects a whole route table for one bad pattern, so the rule is dropped with the field named. */
function invalidPattern(match: GRPCRouteMatch, index: number): string | undefined {
  if (match.method?.type !== 'RegularExpression') return undefined;
  for (const key of ['service', 'method'] as const) {
    const pattern = match.method[key];
    if (pattern !== undefined && !isValidRegex(pattern)) {
      return `matches[${index}].method.${key}: invalid regular expression ${JSON.stringify(pattern)}`;
    }
  }
  return undefined;
}
