import type { HTTPRoute as IRRoute, StringMatch } from '@eg/ir';
import { compareHostnames } from './hostnames.ts';
import { compareText } from './resource-index.ts';

/** An IR route with what Gateway API precedence needs to know about where it came from. */
export interface RankedRoute {
  readonly route: IRRoute;
  readonly source: {
    readonly kind: 'HTTPRoute' | 'GRPCRoute';
    /** The route's creationTimestamp; absent sorts as the newest. */
    readonly createdAt?: string;
    readonly namespace: string;
    readonly name: string;
    readonly rule: number;
    readonly match: number;
  };
  readonly path: PathSpecificity;
  readonly hasMethodMatch: boolean;
  /** Header matches, not counting the method. */
  readonly headerMatchCount: number;
  readonly queryMatchCount: number;
}

/**
 * How specific a match's path is: its class (0 Exact, 1 RegularExpression, 2 prefix), then a length where
 * longer wins. One scale for both route kinds, so a listener's routes sort in one consistent order.
 */
export interface PathSpecificity {
  readonly rank: 0 | 1 | 2;
  readonly length: number;
}

const PATH_RANK: Readonly<Record<StringMatch['type'], PathSpecificity['rank']>> = {
  Exact: 0,
  RegularExpression: 1,
  Prefix: 2,
};

/** An HTTPRoute path match: its type, then its length. */
export function httpPathSpecificity(path: StringMatch): PathSpecificity {
  return { rank: PATH_RANK[path.type], length: path.value.length };
}

/** Service and method names are at most 1024 characters: this base keeps service characters first. */
const METHOD_LENGTH_BASE = 1025;

/**
 * A GRPCRoute method match, ranked as the GRPCRoute spec asks: more characters of service, then of method,
 * win. An exact service and method is an exact path; any other method match sorts with regular expressions;
 * no method match at all is the `/` prefix it becomes.
 */
export function grpcMethodSpecificity(
  method:
    { readonly type: 'Exact' | 'RegularExpression'; readonly service?: string; readonly method?: string } | undefined,
): PathSpecificity {
  if (!method) return { rank: 2, length: 1 };
  const exact = method.type === 'Exact' && method.service !== undefined && method.method !== undefined;
  const length = (method.service?.length ?? 0) * METHOD_LENGTH_BASE + (method.method?.length ?? 0);
  return { rank: exact ? 0 : 1, length };
}

/**
 * Gateway API precedence, most specific first: hostname, Exact before RegularExpression before prefix path,
 * longer path (for GRPCRoutes: longer service, then method), a method match, more header matches, more query
 * parameter matches; then the older route, namespace/name, rule and match index.
 */
export function comparePrecedence(a: RankedRoute, b: RankedRoute): number {
  return (
    compareHostnames(a.route.hostname, b.route.hostname) ||
    a.path.rank - b.path.rank ||
    b.path.length - a.path.length ||
    Number(b.hasMethodMatch) - Number(a.hasMethodMatch) ||
    b.headerMatchCount - a.headerMatchCount ||
    b.queryMatchCount - a.queryMatchCount ||
    compareCreation(a.source.createdAt, b.source.createdAt) ||
    compareText(a.source.namespace, b.source.namespace) ||
    compareText(a.source.name, b.source.name) ||
    compareText(a.source.kind, b.source.kind) ||
    a.source.rule - b.source.rule ||
    a.source.match - b.source.match
  );
}

function compareCreation(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  // RFC 3339 text in UTC sorts like time; parse anyway so offsets compare correctly.
  return Date.parse(a) - Date.parse(b) || compareText(a, b);
}
