import type {
  CORS,
  HeaderOperations,
  Mirror,
  PathRewrite,
  Redirect,
  RouteAction,
  URLRewrite as IRURLRewrite,
} from '@eg/ir';
import {
  ENVOY_GATEWAY_GROUP,
  type CORSFilter,
  type HeaderModifier,
  type HTTPRouteFilter,
  type HTTPRouteMatch,
  type PathModifier,
  type RequestRedirect,
} from '../resources.ts';
import { resolveBackendRef } from './backend-refs.ts';
import type { RoutableRoute } from './httproute-rules.ts';
import type { Problem } from './conditions.ts';
import type { TranslateOptions } from './listeners.ts';
import { isValidRegex } from './regex.ts';
import type { ResourceIndex } from './resource-index.ts';

/** What a rule's filters add to each IR route of the rule. */
export interface RuleFilterFeatures {
  readonly requestHeaders?: HeaderOperations;
  readonly responseHeaders?: HeaderOperations;
  readonly urlRewrite?: IRURLRewrite;
  readonly mirrors?: readonly Mirror[];
  readonly cors?: CORS;
  /** Set when the filters answer the request themselves (redirect, direct response, or 500 for a bad filter). */
  readonly action?: RouteAction;
}

export interface FilterTranslation {
  readonly features: RuleFilterFeatures;
  /** ResolvedRefs problems (unresolvable mirror backends, ExtensionRefs). */
  readonly problems: readonly Problem[];
}

export interface RuleContext {
  readonly route: RoutableRoute;
  readonly ruleIndex: number;
  readonly matches: readonly HTTPRouteMatch[];
  /** `httproute/<ns>/<name>/rule/<i>` */
  readonly destination: string;
  readonly index: ResourceIndex;
  readonly options: TranslateOptions;
}

const INTERNAL_ERROR: RouteAction = { type: 'DirectResponse', statusCode: 500 };

/**
 * Translates rule-level filters in order. A filter that cannot be honoured (unknown ExtensionRef kind, missing
 * HTTPRouteFilter) turns the rule into a 500 answer, as Envoy Gateway does, so traffic is never sent somewhere
 * the user did not mean.
 */
export function translateRuleFilters(filters: readonly HTTPRouteFilter[], ctx: RuleContext): FilterTranslation {
  const problems: Problem[] = [];
  let requestHeaders: HeaderOperations | undefined;
  let responseHeaders: HeaderOperations | undefined;
  let urlRewrite: IRURLRewrite | undefined;
  const mirrors: Mirror[] = [];
  let cors: CORS | undefined;
  let action: RouteAction | undefined;
  let failed = false;
  const prefix = ctx.matches[0]?.path.value ?? '/';

  for (const filter of filters) {
    switch (filter.type) {
      case 'RequestHeaderModifier':
        requestHeaders = mergeHeaders(requestHeaders, filter.requestHeaderModifier);
        break;
      case 'ResponseHeaderModifier':
        responseHeaders = mergeHeaders(responseHeaders, filter.responseHeaderModifier);
        break;
      case 'RequestRedirect':
        action = { type: 'Redirect', redirect: redirect(filter.requestRedirect, prefix) };
        break;
      case 'URLRewrite': {
        const { hostname, path } = filter.urlRewrite;
        urlRewrite = {
          ...urlRewrite,
          ...(hostname !== undefined && { host: { type: 'Literal', hostname } }),
          ...(path !== undefined && { path: pathRewrite(path, prefix) }),
        };
        break;
      }
      case 'RequestMirror': {
        const k = mirrors.length;
        const name = `${ctx.destination}/mirror/${k}`;
        const { backendRef, fraction } = filter.requestMirror;
        const resolved = resolveBackendRef(
          { ...backendRef, weight: 1 },
          { kind: ctx.route.kind, namespace: ctx.route.metadata.namespace },
          name,
          ctx.index,
          ctx.options,
        );
        if (!resolved.valid) {
          problems.push({
            reason: resolved.problem.reason,
            message: `Failed to process route rule ${ctx.ruleIndex} mirror ${k}: ${resolved.problem.message}`,
          });
          break;
        }
        mirrors.push({
          destination: { name, settings: [resolved.setting] },
          ...(fraction !== undefined && { fraction }),
        });
        break;
      }
      case 'ExtensionRef': {
        const outcome = extensionRef(filter.extensionRef, ctx);
        if ('problem' in outcome) {
          problems.push(outcome.problem);
          failed = true;
          break;
        }
        if (outcome.urlRewrite) urlRewrite = { ...urlRewrite, ...outcome.urlRewrite };
        if (outcome.action) action = outcome.action;
        break;
      }
      case 'CORS':
        cors = corsPolicy(filter.cors);
        break;
    }
  }
  const features: RuleFilterFeatures = {
    ...(requestHeaders && { requestHeaders }),
    ...(responseHeaders && { responseHeaders }),
    ...(urlRewrite && { urlRewrite }),
    ...(mirrors.length > 0 && { mirrors }),
    ...(cors && { cors }),
    ...((failed || action) && { action: failed ? INTERNAL_ERROR : action }),
  };
  return { features, problems };
}

/** The CORS filter (or a SecurityPolicy's cors) as IR. */
export function corsPolicy(filter: CORSFilter): CORS {
  return {
    allowOrigins: filter.allowOrigins.map((origin) =>
      origin.includes('*') ? { type: 'Wildcard', pattern: origin } : { type: 'Exact', origin },
    ),
    allowMethods: filter.allowMethods,
    allowHeaders: filter.allowHeaders,
    exposeHeaders: filter.exposeHeaders,
    ...(filter.maxAge !== undefined && { maxAgeSeconds: filter.maxAge }),
    allowCredentials: filter.allowCredentials,
  };
}

/** Header filters of a backendRef; the others are not supported there. */
export function backendRefHeaderFilters(
  filters: readonly HTTPRouteFilter[],
):
  | { readonly requestHeaders?: HeaderOperations; readonly responseHeaders?: HeaderOperations }
  | { readonly unsupported: string } {
  let requestHeaders: HeaderOperations | undefined;
  let responseHeaders: HeaderOperations | undefined;
  for (const filter of filters) {
    if (filter.type === 'RequestHeaderModifier') {
      requestHeaders = mergeHeaders(requestHeaders, filter.requestHeaderModifier);
    } else if (filter.type === 'ResponseHeaderModifier') {
      responseHeaders = mergeHeaders(responseHeaders, filter.responseHeaderModifier);
    } else return { unsupported: filter.type };
  }
  return { ...(requestHeaders && { requestHeaders }), ...(responseHeaders && { responseHeaders }) };
}

function mergeHeaders(into: HeaderOperations | undefined, modifier: HeaderModifier): HeaderOperations {
  return {
    set: [...(into?.set ?? []), ...modifier.set],
    add: [...(into?.add ?? []), ...modifier.add],
    remove: [...(into?.remove ?? []), ...modifier.remove],
  };
}

/** The matched prefix is the rule's single PathPrefix match (the loader enforces it for ReplacePrefixMatch). */
function pathRewrite(modifier: PathModifier, matchedPrefix: string): PathRewrite {
  return modifier.type === 'ReplaceFullPath'
    ? { type: 'ReplaceFullPath', value: modifier.value }
    : { type: 'ReplacePrefix', prefix: matchedPrefix, value: modifier.value };
}

/** The default port (scheme's well-known port, or the listener's) depends on the listener: libs/xds applies it. */
function redirect(filter: RequestRedirect, matchedPrefix: string): Redirect {
  return {
    ...(filter.scheme !== undefined && { scheme: filter.scheme }),
    ...(filter.hostname !== undefined && { hostname: filter.hostname }),
    ...(filter.port !== undefined && { port: filter.port }),
    ...(filter.path !== undefined && { path: pathRewrite(filter.path, matchedPrefix) }),
    statusCode: filter.statusCode,
  };
}

type ExtensionOutcome =
  { readonly problem: Problem } | { readonly urlRewrite?: IRURLRewrite; readonly action?: RouteAction };

/**
 * ExtensionRef to Envoy Gateway's HTTPRouteFilter. Anything unresolvable is, as in Envoy Gateway, ResolvedRefs=False
 * with UnsupportedValue and a 500 answer (GEP-1364 treats filters like references).
 */
function extensionRef(ref: { group: string; kind: string; name: string }, ctx: RuleContext): ExtensionOutcome {
  const { namespace } = ctx.route.metadata;
  if (ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'HTTPRouteFilter') {
    return {
      problem: {
        reason: 'UnsupportedValue',
        message: `Reference ${namespace}/${ref.name} not found for filter type: ${ref.kind}`,
      },
    };
  }
  const resource = ctx.index.httpRouteFilter(namespace, ref.name);
  if (!resource) {
    return {
      problem: { reason: 'UnsupportedValue', message: `Unable to translate HTTPRouteFilter: ${namespace}/${ref.name}` },
    };
  }
  const { urlRewrite, directResponse, unimplementedFields } = resource.spec;
  if (unimplementedFields.length > 0) {
    return {
      problem: {
        reason: 'UnsupportedValue',
        message: `HTTPRouteFilter ${namespace}/${ref.name}: ${unimplementedFields.join(', ')} not supported`,
      },
    };
  }
  if (urlRewrite?.path && !isValidRegex(urlRewrite.path.pattern)) {
    return {
      problem: {
        reason: 'UnsupportedValue',
        message: `HTTPRouteFilter ${namespace}/${ref.name}: invalid regular expression ${JSON.stringify(urlRewrite.path.pattern)}`,
      },
    };
  }
  const rewrite: IRURLRewrite | undefined = urlRewrite && {
    ...(urlRewrite.hostname && { host: urlRewrite.hostname }),
    ...(urlRewrite.path && { path: { type: 'RegexReplace', ...urlRewrite.path } }),
  };
  const action: RouteAction | undefined = directResponse && {
    type: 'DirectResponse',
    statusCode: directResponse.statusCode,
    ...(directResponse.body !== undefined && { body: directResponse.body }),
    ...(directResponse.contentType !== undefined && { contentType: directResponse.contentType }),
  };
  return { ...(rewrite && { urlRewrite: rewrite }), ...(action && { action }) };
}
