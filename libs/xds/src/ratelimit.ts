import {
  listenerRateLimitDomain,
  sharedRateLimitDomain,
  type HTTPListener,
  type HTTPRoute,
  type RateLimitRule,
  type RateLimitUnit,
  type RateLimitValue,
} from '@eg/ir';
import { anyType, protoDuration, type ProtoJson } from './encode.ts';
import { HTTP_PROTOCOL_OPTIONS, LOCAL_RATE_LIMIT, RATE_LIMIT } from './extension-types.ts';

/** Where Envoy asks for global rate-limit decisions, and what it does when the service does not answer. */
export interface RateLimitServiceOptions {
  /** The service's replicas; Envoy balances its calls over them round robin (a Service name is one address). */
  readonly addresses: readonly [RateLimitAddress, ...RateLimitAddress[]];
  /** Deny requests when the service cannot be reached (Envoy's failure_mode_deny); Envoy Gateway's default is to allow. */
  readonly failClosed?: boolean;
  /** The service's answer deadline; Envoy's default (20 ms) when absent. */
  readonly timeoutMs?: number;
}

export interface RateLimitAddress {
  readonly host: string;
  readonly port: number;
}

/** Envoy Gateway's names: the ratelimit Service in the controller namespace on 8081. */
export const DEFAULT_RATE_LIMIT_SERVICE: RateLimitServiceOptions = {
  addresses: [{ host: 'envoy-ratelimit.envoy-gateway-system.svc.cluster.local', port: 8081 }],
};

export const RATE_LIMIT_CLUSTER = 'ratelimit_cluster';
const RATE_LIMIT_FILTER = 'envoy.filters.http.ratelimit';
const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
const LOCAL_STAT_PREFIX = 'http_local_rate_limiter';

const UNIT_SECONDS: Readonly<Record<RateLimitUnit, number>> = { Second: 1, Minute: 60, Hour: 3600, Day: 86400 };

const globalRules = (route: HTTPRoute) => route.rateLimit?.global?.rules ?? [];

export function usesGlobalRateLimit(listeners: readonly HTTPListener[]): boolean {
  return listeners.some((l) => l.routes.some((r) => globalRules(r).length > 0));
}

/**
 * The rate-limit filters of one HTTP connection manager, in Envoy Gateway's order (local before global): the
 * local filter (off unless a route enables it), one global filter for the listener's domain and one per
 * policy domain of shared rules, named `envoy.filters.http.ratelimit/<domain>`.
 */
export function rateLimitFilters(listeners: readonly HTTPListener[], service: RateLimitServiceOptions): ProtoJson[] {
  const routes = listeners.flatMap((l) => l.routes);
  const filters: ProtoJson[] = [];
  if (routes.some((r) => r.rateLimit?.local)) {
    filters.push({
      name: LOCAL_RATE_LIMIT_FILTER,
      typedConfig: { '@type': anyType(LOCAL_RATE_LIMIT), statPrefix: LOCAL_STAT_PREFIX },
    });
  }
  const [first] = listeners;
  const envoyHeaders = first?.clientTraffic?.enableEnvoyHeaders ?? false;
  if (first && routes.some((r) => globalRules(r).some((rule) => !rule.shared))) {
    filters.push(globalFilter(RATE_LIMIT_FILTER, listenerRateLimitDomain(first, listeners), service, envoyHeaders));
  }
  const shared = new Set(routes.flatMap((r) => globalRules(r).filter((rule) => rule.shared)).map((rule) => rule.name));
  for (const domain of [...new Set([...shared].map(sharedRateLimitDomain))].sort()) {
    filters.push(globalFilter(`${RATE_LIMIT_FILTER}/${domain}`, domain, service, envoyHeaders));
  }
  return filters;
}

function globalFilter(
  name: string,
  domain: string,
  service: RateLimitServiceOptions,
  envoyHeaders: boolean,
): ProtoJson {
  return {
    name,
    typedConfig: {
      '@type': anyType(RATE_LIMIT),
      domain,
      ...(service.timeoutMs !== undefined && { timeout: protoDuration(service.timeoutMs) }),
      failureModeDeny: service.failClosed ?? false,
      rateLimitService: { grpcService: { envoyGrpc: { clusterName: RATE_LIMIT_CLUSTER } }, transportApiVersion: 'V3' },
      enableXRatelimitHeaders: 'DRAFT_VERSION_03',
      // Envoy Gateway leaves x-envoy-* headers out unless a ClientTrafficPolicy enables them.
      disableXEnvoyRatelimitedHeader: !envoyHeaders,
    },
  };
}

/** The cluster of the ratelimit service: gRPC, so HTTP/2; resolved by DNS so a Service name works. */
export function rateLimitCluster(service: RateLimitServiceOptions): ProtoJson {
  return {
    name: RATE_LIMIT_CLUSTER,
    type: 'STRICT_DNS',
    connectTimeout: '10s',
    dnsLookupFamily: 'V4_PREFERRED',
    loadAssignment: {
      clusterName: RATE_LIMIT_CLUSTER,
      endpoints: [
        {
          lbEndpoints: service.addresses.map(({ host, port }) => ({
            endpoint: { address: { socketAddress: { address: host, portValue: port } } },
          })),
        },
      ],
    },
    typedExtensionProtocolOptions: {
      [HTTP_PROTOCOL_OPTIONS]: {
        '@type': anyType(HTTP_PROTOCOL_OPTIONS),
        explicitHttpConfig: { http2ProtocolOptions: {} },
      },
    },
  };
}

/**
 * The route's rate-limit actions, one per rule, building the descriptors the ratelimit service (global) or the
 * local filter's buckets (local) are configured with. Global descriptors start with the route (or, for shared
 * rules, the rule) so counters stay per route unless shared; indexes count shared and other rules apart.
 */
export function routeRateLimits(route: HTTPRoute): ProtoJson[] {
  const rules = globalRules(route);
  const own = rules.filter((r) => !r.shared);
  const shared = rules.filter((r) => r.shared);
  const global = rules.map((rule) => {
    const k = rule.shared ? shared.indexOf(rule) : own.indexOf(rule);
    const prefix = rule.shared ? rule.name : route.name;
    return { actions: [genericKey(prefix, prefix), ...selectorActions(rule, k)] };
  });
  const local = (route.rateLimit?.local?.rules ?? []).map((rule, k) => ({ actions: selectorActions(rule, k) }));
  return [...global, ...local];
}

function selectorActions(rule: RateLimitRule, k: number): ProtoJson[] {
  const actions: ProtoJson[] = rule.headerMatches.map((m, j) => {
    const key = `rule-${k}-match-${j}`;
    if (m.distinct) return { requestHeaders: { headerName: m.name, descriptorKey: key } };
    const stringMatch = m.match.type === 'Exact' ? { exact: m.match.value } : { safeRegex: { regex: m.match.value } };
    return {
      headerValueMatch: {
        descriptorKey: key,
        descriptorValue: key,
        expectMatch: true,
        headers: [{ name: m.name, stringMatch }],
      },
    };
  });
  if (rule.cidrMatch) {
    const { maskLen, isIPv6, distinct } = rule.cidrMatch;
    actions.push({ maskedRemoteAddress: isIPv6 ? { v6PrefixMaskLen: maskLen } : { v4PrefixMaskLen: maskLen } });
    if (distinct) actions.push({ remoteAddress: {} });
  }
  if (actions.length === 0) actions.push(genericKey(`rule-${k}-match--1`, `rule-${k}-match--1`));
  return actions;
}

function genericKey(descriptorKey: string, descriptorValue: string): ProtoJson {
  return { genericKey: { descriptorKey, descriptorValue } };
}

/**
 * The route's local token buckets: the default for requests no rule selects, and one per rule, matched by the
 * descriptors of the route's actions. A request a rule selects does not also take a default token.
 */
export function localRateLimitPerRoute(route: HTTPRoute): ProtoJson | undefined {
  const local = route.rateLimit?.local;
  if (!local) return undefined;
  return {
    [LOCAL_RATE_LIMIT_FILTER]: {
      '@type': anyType(LOCAL_RATE_LIMIT),
      statPrefix: LOCAL_STAT_PREFIX,
      tokenBucket: tokenBucket(local.default),
      filterEnabled: {
        runtimeKey: 'local_rate_limit_enabled',
        defaultValue: { numerator: 100, denominator: 'HUNDRED' },
      },
      filterEnforced: {
        runtimeKey: 'local_rate_limit_enforced',
        defaultValue: { numerator: 100, denominator: 'HUNDRED' },
      },
      descriptors: local.rules.map((rule, k) => ({
        entries: localEntries(rule, k),
        tokenBucket: tokenBucket(rule.limit),
      })),
      alwaysConsumeDefaultTokenBucket: false,
      enableXRatelimitHeaders: 'DRAFT_VERSION_03',
    },
  };
}

/** Local rules have no Distinct selectors (the loader refuses them), so every entry has a value. */
function localEntries(rule: RateLimitRule, k: number): ProtoJson[] {
  const entries: ProtoJson[] = rule.headerMatches.map((_, j) => ({
    key: `rule-${k}-match-${j}`,
    value: `rule-${k}-match-${j}`,
  }));
  if (rule.cidrMatch) entries.push({ key: 'masked_remote_address', value: rule.cidrMatch.cidr });
  return entries;
}

function tokenBucket(limit: RateLimitValue): ProtoJson {
  return { maxTokens: limit.requests, tokensPerFill: limit.requests, fillInterval: `${UNIT_SECONDS[limit.unit]}s` };
}
