import { isIP } from 'node:net';
import type { HTTPListener, HTTPRoute, JWTProvider } from '@eg/ir';
import { anyType, protoDuration, type ProtoJson } from './encode.ts';
import { JWT_AUTHN, JWT_AUTHN_PER_ROUTE, UPSTREAM_TLS_CONTEXT } from './extension-types.ts';
import { SYSTEM_TRUST_STORE } from './upstream-tls.ts';

const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';
const JWKS_FETCH_TIMEOUT = '10s';

/** The cluster Envoy fetches a remote key set through: one per scheme, host and port of the URIs. */
interface JWKSCluster {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

const jwtOf = (route: HTTPRoute) => route.security?.jwt;

/**
 * The jwt_authn filter of one HTTP connection manager: a provider entry per policy and provider
 * (`<policy namespace>/<policy>/<provider>`) and a requirement per policy (`<policy namespace>/<policy>`) that the
 * per-filter config of each of its routes selects; routes without one are not checked. Envoy Gateway keys both
 * by route instead, which changes the listener (and drains its connections) whenever a route comes or goes.
 * Absent when no route needs a JWT.
 */
export function jwtAuthnFilter(listeners: readonly HTTPListener[]): ProtoJson | undefined {
  const providers: Record<string, ProtoJson> = {};
  const requirementMap: Record<string, ProtoJson> = {};
  for (const route of listeners.flatMap((l) => l.routes)) {
    const jwt = jwtOf(route);
    if (!jwt || requirementMap[jwt.name]) continue;
    const names = jwt.providers.map((p) => `${jwt.name}/${p.name}`);
    jwt.providers.forEach((p, i) => (providers[names[i]!] = envoyProvider(p)));
    const requirements: ProtoJson[] = [
      ...names.map((providerName) => ({ providerName })),
      // `optional`: a request without a JWT passes, one with a JWT that fails verification does not.
      ...(jwt.allowMissing ? [{ allowMissing: {} }] : []),
    ];
    requirementMap[jwt.name] = requirements.length === 1 ? requirements[0]! : { requiresAny: { requirements } };
  }
  if (Object.keys(requirementMap).length === 0) return undefined;
  return {
    name: JWT_AUTHN_FILTER,
    // Sorted, so that the order of routes never changes the listener's bytes.
    typedConfig: { '@type': anyType(JWT_AUTHN), providers: sorted(providers), requirementMap: sorted(requirementMap) },
  };
}

function sorted(map: Record<string, ProtoJson>): Record<string, ProtoJson> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The route's choice of requirement in the jwt_authn filter: its policy's. */
export function jwtPerRoute(route: HTTPRoute): ProtoJson | undefined {
  const jwt = jwtOf(route);
  if (!jwt) return undefined;
  return { [JWT_AUTHN_FILTER]: { '@type': anyType(JWT_AUTHN_PER_ROUTE), requirementName: jwt.name } };
}

function envoyProvider(provider: JWTProvider): ProtoJson {
  const { jwks, extractFrom } = provider;
  return {
    ...(provider.issuer !== undefined && { issuer: provider.issuer }),
    ...(provider.audiences.length > 0 && { audiences: provider.audiences }),
    ...(jwks.type === 'Remote'
      ? {
          remoteJwks: {
            httpUri: { uri: jwks.uri, cluster: jwksCluster(jwks.uri).name, timeout: JWKS_FETCH_TIMEOUT },
            cacheDuration: protoDuration(jwks.cacheDurationMs),
          },
        }
      : { localJwks: { inlineString: jwks.inline } }),
    ...(extractFrom && {
      fromHeaders: extractFrom.headers.map((h) => ({
        name: h.name,
        ...(h.valuePrefix !== undefined && { valuePrefix: h.valuePrefix }),
      })),
      fromCookies: extractFrom.cookies,
      fromParams: extractFrom.params,
    }),
    // Later filters (and access logs) find the verified claims under the provider's name.
    payloadInMetadata: provider.name,
    ...(provider.claimToHeaders.length > 0 && {
      claimToHeaders: provider.claimToHeaders.map((c) => ({ headerName: c.header, claimName: c.claim })),
    }),
    ...(provider.recomputeRoute && { clearRouteCache: true }),
  };
}

/** `auth_example_com_443`: Envoy Gateway's name for the cluster of a JWKS URI. */
function jwksCluster(uri: string): JWKSCluster {
  // The loader accepted only http(s) URLs with a host.
  const url = new URL(uri);
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  return { name: `${host.replace(/[.:]/g, '_')}_${port}`, host, port, tls };
}

/** The clusters of every remote key set the listeners' routes use, by name. */
export function jwksClusters(listeners: readonly HTTPListener[]): Map<string, ProtoJson> {
  const clusters = new Map<string, ProtoJson>();
  for (const route of listeners.flatMap((l) => l.routes)) {
    for (const provider of jwtOf(route)?.providers ?? []) {
      if (provider.jwks.type !== 'Remote') continue;
      const cluster = jwksCluster(provider.jwks.uri);
      if (!clusters.has(cluster.name)) clusters.set(cluster.name, jwksClusterConfig(cluster));
    }
  }
  return clusters;
}

function jwksClusterConfig({ name, host, port, tls }: JWKSCluster): ProtoJson {
  const byName = isIP(host) === 0;
  const endpoint = { endpoint: { address: { socketAddress: { address: host, portValue: port } } } };
  return {
    name,
    connectTimeout: '10s',
    // A hostname is resolved by Envoy; an address is used as it is.
    ...(byName
      ? { type: 'STRICT_DNS', dnsLookupFamily: 'V4_PREFERRED', dnsRefreshRate: '30s', respectDnsTtl: true }
      : { type: 'STATIC' }),
    loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [endpoint] }] },
    ...(tls && {
      transportSocket: {
        name: 'envoy.transport_sockets.tls',
        typedConfig: {
          '@type': anyType(UPSTREAM_TLS_CONTEXT),
          // SNI carries names only, never addresses.
          ...(byName && { sni: host }),
          commonTlsContext: {
            validationContext: {
              trustedCa: { filename: SYSTEM_TRUST_STORE },
              // The certificate must be the JWKS server's, not any publicly trusted one.
              matchTypedSubjectAltNames: [{ sanType: byName ? 'DNS' : 'IP_ADDRESS', matcher: { exact: host } }],
            },
          },
        },
      },
    }),
  };
}
