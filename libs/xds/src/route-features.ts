import type {
  HeaderOperations,
  HeaderValue,
  HTTPRoute,
  Mirror,
  PathRewrite,
  Redirect,
  RouteRetry,
  RouteTimeouts,
  URLRewrite,
} from '@eg/ir';
import { destinationClusters } from './destination.ts';
import { protoDuration, type ProtoJson } from './encode.ts';

/** Envoy's header mutations for Gateway API set (overwrite) and add (append) semantics. */
export function headerMutations(ops: HeaderOperations | undefined, direction: 'request' | 'response'): ProtoJson {
  if (!ops) return {};
  const toAdd = [
    ...ops.set.map((h) => ({ header: { key: h.name, value: h.value }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...ops.add.map((h) => ({ header: { key: h.name, value: h.value }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  return {
    ...(toAdd.length > 0 && { [`${direction}HeadersToAdd`]: toAdd }),
    ...(ops.remove.length > 0 && { [`${direction}HeadersToRemove`]: ops.remove }),
  };
}

/** Route-level header mutations, plus response headers the route itself sets (e.g. a direct response's type). */
export function routeHeaderMutations(route: HTTPRoute, setResponseHeaders: readonly HeaderValue[]): ProtoJson {
  const response = route.responseHeaders ?? { set: [], add: [], remove: [] };
  const withOwn =
    setResponseHeaders.length === 0
      ? route.responseHeaders
      : { ...response, set: [...response.set, ...setResponseHeaders] };
  return { ...headerMutations(route.requestHeaders, 'request'), ...headerMutations(withOwn, 'response') };
}

/** Path rewrite fields shared by RouteAction (`prefixRewrite`/`regexRewrite`) and RedirectAction. */
function pathRewriteFields(path: PathRewrite, fullPathKey: 'regexRewrite' | 'pathRedirect'): ProtoJson {
  switch (path.type) {
    case 'ReplaceFullPath':
      return fullPathKey === 'pathRedirect'
        ? { pathRedirect: path.value }
        : { regexRewrite: { pattern: { regex: '^/.*$' }, substitution: path.value } };
    case 'ReplacePrefix': {
      const prefix = path.prefix.replace(/\/+$/, '');
      const replacement = path.value.replace(/\/+$/, '');
      // Replacing with "/" must not leave "//rest" behind, and an empty prefix_rewrite means "no rewrite".
      if (replacement === '') {
        return { regexRewrite: { pattern: { regex: `^${escapeRegex(prefix)}\\/*` }, substitution: '/' } };
      }
      if (prefix === '') {
        return { regexRewrite: { pattern: { regex: '^/' }, substitution: `${replacement}/` } };
      }
      return { prefixRewrite: replacement };
    }
    case 'RegexReplace':
      return { regexRewrite: { pattern: { regex: path.pattern }, substitution: path.substitution } };
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const REDIRECT_CODES: Readonly<Record<Redirect['statusCode'], string>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

/**
 * The spec's port rules: an explicit port wins; a scheme without a port means that scheme's well-known port;
 * neither means the listener's port. A well-known port is left out of Location (the listener strips the Host
 * port, so leaving portRedirect unset gives none).
 */
export function redirectAction(redirect: Redirect, listenerPort: number, listenerScheme: 'http' | 'https'): ProtoJson {
  // Without a scheme the redirect keeps the request's, which is the listener's.
  const scheme = redirect.scheme ?? listenerScheme;
  const port = redirect.port ?? (redirect.scheme ? WELL_KNOWN_PORT[redirect.scheme] : listenerPort);
  return {
    ...(redirect.scheme !== undefined && { schemeRedirect: redirect.scheme }),
    ...(redirect.hostname !== undefined && { hostRedirect: redirect.hostname }),
    ...(port !== WELL_KNOWN_PORT[scheme] && { portRedirect: port }),
    ...(redirect.path !== undefined && pathRewriteFields(redirect.path, 'pathRedirect')),
    responseCode: REDIRECT_CODES[redirect.statusCode],
  };
}

/** RouteAction fields for URL rewrites, mirrors, timeouts and retries. */
export function forwardFeatures(route: HTTPRoute): ProtoJson {
  return {
    ...urlRewrite(route.urlRewrite),
    ...(route.mirrors && route.mirrors.length > 0 && { requestMirrorPolicies: route.mirrors.map(mirrorPolicy) }),
    ...timeoutsAndRetries(route.timeouts, route.retry),
  };
}

function urlRewrite(rewrite: URLRewrite | undefined): ProtoJson {
  if (!rewrite) return {};
  const host = rewrite.host;
  return {
    ...(rewrite.path && pathRewriteFields(rewrite.path, 'regexRewrite')),
    ...(host?.type === 'Literal' && { hostRewriteLiteral: host.hostname }),
    ...(host?.type === 'Header' && { hostRewriteHeader: host.header }),
    ...(host?.type === 'Backend' && { autoHostRewrite: true }),
  };
}

function mirrorPolicy(mirror: Mirror): ProtoJson {
  const [cluster] = destinationClusters(mirror.destination);
  return {
    cluster: cluster?.name ?? mirror.destination.name,
    ...(mirror.fraction && { runtimeFraction: { defaultValue: fractionalPercent(mirror.fraction) } }),
  };
}

/** Envoy takes hundred, ten-thousand or million as denominators; scale to a million. */
function fractionalPercent({ numerator, denominator }: { numerator: number; denominator: number }): ProtoJson {
  if (denominator === 100) return { numerator, denominator: 'HUNDRED' };
  return { numerator: Math.round((numerator * 1_000_000) / denominator), denominator: 'MILLION' };
}

/** What Envoy retries on besides the listed status codes: attempts that got no answer (refused, reset, timed out). */
const RETRY_ON_FAILURE = ['connect-failure', 'refused-stream', 'reset'];
/** Envoy's default retry count and back-off base, and its cap on a back-off (ten times the base). */
const ENVOY_DEFAULT_RETRIES = 1;
const ENVOY_DEFAULT_BACKOFF_MS = 25;
const BACKOFF_CAP_FACTOR = 10;

/**
 * `request` bounds the whole exchange (route timeout); `backendRequest` bounds each attempt (per-try timeout).
 * Without `request`, the route timeout is what every attempt and the longest back-offs between them can take, so
 * `backendRequest` alone never cuts retries short. 0 disables.
 */
function timeoutsAndRetries(t: RouteTimeouts | undefined, retry: RouteRetry | undefined): ProtoJson {
  const perTry = t?.backendRequest;
  const retries = retry ? (retry.numRetries ?? ENVOY_DEFAULT_RETRIES) : 0;
  const backoffMs = retry?.backoffMs === 0 ? 1 : retry?.backoffMs; // Envoy wants a positive base interval.
  const maxBackoffMs = (backoffMs ?? ENVOY_DEFAULT_BACKOFF_MS) * BACKOFF_CAP_FACTOR;
  const total =
    t?.request ?? (perTry === undefined || perTry === 0 ? perTry : perTry * (retries + 1) + maxBackoffMs * retries);
  const perTryTimeout = perTry !== undefined && perTry > 0 ? { perTryTimeout: protoDuration(perTry) } : {};
  const retryPolicy = retry
    ? {
        retryOn: [...RETRY_ON_FAILURE, ...(retry.statusCodes.length > 0 ? ['retriable-status-codes'] : [])].join(','),
        numRetries: retries,
        ...(retry.statusCodes.length > 0 && { retriableStatusCodes: retry.statusCodes }),
        ...perTryTimeout,
        ...(backoffMs !== undefined && { retryBackOff: { baseInterval: protoDuration(backoffMs) } }),
      }
    : perTry !== undefined && perTry > 0 && { numRetries: 0, ...perTryTimeout };
  return {
    ...(total !== undefined && { timeout: protoDuration(total) }),
    ...(retryPolicy && { retryPolicy }),
  };
}
