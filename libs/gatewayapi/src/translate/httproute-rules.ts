import type {
  DestinationSetting,
  HeaderMatch,
  QueryParamMatch,
  RouteAction,
  RouteRetry as IRRouteRetry,
  RouteTimeouts,
  SourceMetadata,
  StringMatch,
} from '@eg/ir';
import type { HTTPRouteMatch, HTTPRouteRule, ObjectMeta, ParentReference, RouteRetry } from '../resources.ts';
import { invalidSetting, resolveBackendRef } from './backend-refs.ts';
import type { Problem } from './conditions.ts';
import { hostnameSuffix } from './hostnames.ts';
import { backendRefHeaderFilters, translateRuleFilters, type RuleFilterFeatures } from './http-filters.ts';
import type { TranslateOptions } from './listeners.ts';
import { httpPathSpecificity, type PathSpecificity, type RankedRoute } from './precedence.ts';
import { isValidRegex } from './regex.ts';
import type { ResourceIndex } from './resource-index.ts';

/** A match as the HTTP pipeline translates it; GRPCRoute matches say how they rank (see precedence.ts). */
export interface RoutableMatch extends HTTPRouteMatch {
  readonly specificity?: PathSpecificity;
}

/** A rule as the HTTP pipeline translates it; `invalid` says why it must be dropped instead. */
export interface RoutableRule extends HTTPRouteRule {
  readonly matches: readonly RoutableMatch[];
  readonly invalid?: string;
}

/**
 * A route Envoy serves from an HTTP connection manager: an HTTPRoute as loaded, or a GRPCRoute whose method
 * matches became path matches (see grpcroute.ts). Attachment, backends, filters and status are shared.
 */
export interface RoutableRoute {
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parentRefs: readonly ParentReference[];
    readonly hostnames: readonly string[];
    readonly rules: readonly RoutableRule[];
  };
}

/** `httproute/<ns>/<name>` or `grpcroute/<ns>/<name>`: the prefix of the route's IR names, as in Envoy Gateway. */
export function irNamePrefix(route: RoutableRoute): string {
  return `${route.kind.toLowerCase()}/${route.metadata.namespace}/${route.metadata.name}`;
}

/** One rule, translated once per route and copied onto every listener hostname the route attaches to. */
interface TranslatedRule {
  readonly index: number;
  readonly name?: string;
  readonly matches: readonly RoutableMatch[];
  readonly action: RouteAction;
  readonly features: Omit<RuleFilterFeatures, 'action'>;
  readonly timeouts?: RouteTimeouts;
  readonly retry?: IRRouteRetry;
}

export interface TranslatedRules {
  readonly rules: readonly TranslatedRule[];
  /** Unresolvable references (ResolvedRefs=False), in rule and reference order. */
  readonly refProblems: readonly Problem[];
  /** Rules left out because they use what cannot be translated. */
  readonly dropped: readonly { readonly index: number; readonly message: string }[];
}

/**
 * Translates the rules of an HTTPRoute or GRPCRoute. A backendRef that cannot be resolved keeps its weight as an
 * invalid setting (its share of requests gets 500); a rule without any usable weight answers 500 as a whole.
 */
export function translateRules(route: RoutableRoute, index: ResourceIndex, options: TranslateOptions): TranslatedRules {
  const { namespace } = route.metadata;
  const rules: TranslatedRule[] = [];
  const refProblems: Problem[] = [];
  const dropped: { index: number; message: string }[] = [];
  route.spec.rules.forEach((rule, i) => {
    const unsupported = unsupportedFeature(rule);
    if (unsupported) {
      dropped.push({ index: i, message: unsupported });
      return;
    }
    const destination = `${irNamePrefix(route)}/rule/${i}`;
    const filters = translateRuleFilters(rule.filters, {
      route,
      ruleIndex: i,
      matches: rule.matches,
      destination,
      index,
      options,
    });
    refProblems.push(...filters.problems);
    const settings: DestinationSetting[] = [];
    rule.backendRefs.forEach((ref, k) => {
      const settingName = `${destination}/backend/${k}`;
      const resolved = resolveBackendRef(ref, { kind: route.kind, namespace }, settingName, index, options);
      const headerFilters = backendRefHeaderFilters(ref.filters);
      const problem = !resolved.valid
        ? resolved.problem
        : 'unsupported' in headerFilters
          ? {
              reason: 'UnsupportedValue',
              message: `${headerFilters.unsupported} is not supported as a backendRef filter`,
            }
          : undefined;
      if (problem) {
        refProblems.push({
          reason: problem.reason,
          message: `Failed to process route rule ${i} backendRef ${k}: ${problem.message}`,
        });
      }
      // A zero weight takes no traffic, valid or not.
      if (ref.weight === 0) return;
      if (!resolved.valid || 'unsupported' in headerFilters) settings.push(invalidSetting(settingName, ref.weight));
      else settings.push({ ...resolved.setting, ...headerFilters });
    });
    const usableWeight = settings.filter((s) => !s.invalid).reduce((sum, s) => sum + s.weight, 0);
    const { action: filterAction, ...features } = filters.features;
    const action: RouteAction =
      filterAction ??
      (usableWeight === 0
        ? { type: 'DirectResponse', statusCode: 500 }
        : { type: 'Forward', destination: { name: destination, settings } });
    rules.push({
      index: i,
      ...(rule.name !== undefined && { name: rule.name }),
      matches: rule.matches,
      action,
      features,
      ...(rule.timeouts !== undefined && { timeouts: rule.timeouts }),
      ...(rule.retry !== undefined && { retry: irRetry(rule.retry) }),
    });
  });
  return { rules, refProblems, dropped };
}

/** What in a rule cannot be translated faithfully; such a rule is dropped rather than half-applied. */
function unsupportedFeature(rule: RoutableRule): string | undefined {
  if (rule.invalid !== undefined) return rule.invalid;
  const protectedHeader = protectedHeaderChange(rule);
  if (protectedHeader) return protectedHeader;
  const fields = rule.unimplementedFields;
  if (fields.length > 0) return `${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} not supported yet`;
  const patterns = rule.matches.flatMap((m) => [
    ...(m.path.type === 'RegularExpression' ? [m.path.value] : []),
    ...m.headers.filter((h) => h.type === 'RegularExpression').map((h) => h.value),
    ...m.queryParams.filter((q) => q.type === 'RegularExpression').map((q) => q.value),
  ]);
  const bad = patterns.find((p) => !isValidRegex(p));
  return bad === undefined ? undefined : `invalid regular expression ${JSON.stringify(bad)}`;
}

/** Envoy refuses (with the whole route table) header filters that touch Host; URLRewrite hostname does that job. */
function protectedHeaderChange(rule: HTTPRouteRule): string | undefined {
  const filters = [...rule.filters, ...rule.backendRefs.flatMap((b) => b.filters)];
  for (const filter of filters) {
    const modifier =
      filter.type === 'RequestHeaderModifier'
        ? filter.requestHeaderModifier
        : filter.type === 'ResponseHeaderModifier'
          ? filter.responseHeaderModifier
          : undefined;
    if (!modifier) continue;
    const names = [...modifier.set.map((h) => h.name), ...modifier.add.map((h) => h.name), ...modifier.remove];
    if (names.some((n) => n.toLowerCase() === 'host')) {
      return `${filter.type} cannot modify the Host header (use a URLRewrite hostname)`;
    }
  }
  return undefined;
}

/** The IR routes of the translated rules for one hostname of one listener. */
export function routesForHostname(
  route: RoutableRoute,
  rules: readonly TranslatedRule[],
  hostname: string,
): RankedRoute[] {
  const { namespace, name, creationTimestamp } = route.metadata;
  return rules.flatMap((rule) =>
    rule.matches.map((match, j): RankedRoute => {
      const metadata: SourceMetadata = {
        kind: route.kind,
        namespace,
        name,
        ...(rule.name !== undefined && { sectionName: rule.name }),
      };
      const queryParamMatches = queryMatches(match);
      return {
        route: {
          name: `${irNamePrefix(route)}/rule/${rule.index}/match/${j}/${hostnameSuffix(hostname)}`,
          hostname,
          pathMatch: pathMatch(match),
          headerMatches: headerMatches(match),
          ...(queryParamMatches.length > 0 && { queryParamMatches }),
          action: rule.action,
          ...rule.features,
          ...(rule.timeouts !== undefined && { timeouts: rule.timeouts }),
          ...(rule.retry !== undefined && { retry: rule.retry }),
          metadata,
        },
        source: {
          kind: route.kind,
          ...(creationTimestamp !== undefined && { createdAt: creationTimestamp }),
          namespace,
          name,
          rule: rule.index,
          match: j,
        },
        path: match.specificity ?? httpPathSpecificity(pathMatch(match)),
        hasMethodMatch: match.method !== undefined,
        headerMatchCount: match.headers.length,
        queryMatchCount: match.queryParams.length,
      };
    }),
  );
}

function pathMatch(match: HTTPRouteMatch): StringMatch {
  const { type, value } = match.path;
  return { type: type === 'PathPrefix' ? 'Prefix' : type, value };
}

/** Header matches, then the method as a `:method` header match (as Envoy Gateway does). */
function headerMatches(match: HTTPRouteMatch): HeaderMatch[] {
  const headers: HeaderMatch[] = match.headers.map((h) => ({ name: h.name, match: { type: h.type, value: h.value } }));
  if (match.method) headers.push({ name: ':method', match: { type: 'Exact', value: match.method } });
  return headers;
}

function queryMatches(match: HTTPRouteMatch): QueryParamMatch[] {
  return match.queryParams.map((q) => ({ name: q.name, match: { type: q.type, value: q.value } }));
}

function irRetry(retry: RouteRetry): IRRouteRetry {
  return {
    statusCodes: retry.codes,
    ...(retry.attempts !== undefined && { numRetries: retry.attempts }),
    ...(retry.backoff !== undefined && { backoffMs: retry.backoff }),
  };
}
