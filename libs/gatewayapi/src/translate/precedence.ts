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
  readonly hasMethodMatch: boolean;
  /** Header matches, not counting the method. */
  readonly headerMatchCount: number;
  readonly queryMatchCount: number;
}

const PATH_RANK: Readonly<Record<StringMatch['type'], number>> = { Exact: 0, RegularExpression: 1, Prefix: 2 };

/**
 * Gateway API precedence, most specific first: hostname, Exact before RegularExpression before prefix path,
 * longer path, a method match, more header matches, more query parameter matches; then the older route,
 * namespace/name, rule and match index. GRPCRoutes take part through the paths their method matches become
 * (an exact service and method before a pattern before a whole service), as in Envoy Gateway, which sorts
 * both kinds of route on a listener together.
 */
export function comparePrecedence(a: RankedRoute, b: RankedRoute): number {
  return (
    compareHostnames(a.route.hostname, b.route.hostname) ||
    PATH_RANK[a.route.pathMatch.type] - PATH_RANK[b.route.pathMatch.type] ||
    b.route.pathMatch.value.length - a.route.pathMatch.value.length ||
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
