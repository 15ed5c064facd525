import type { ClaimToHeader, JWKSSource, JWTExtractFrom, JWTProvider } from '@eg/ir';
import type { CORSFilter, JWTSpec, SecurityPolicy } from '../resources.ts';
import {
  boolean,
  checkUnique,
  defaulted,
  field,
  formatPath,
  isAbsent,
  list,
  object,
  oneOf,
  optional,
  Problems,
  string,
  type Fields,
  type Path,
} from './decode.ts';
import { duration, headerName } from './formats.ts';
import { objectMeta } from './metadata.ts';
import { policyTargets, refuseUntranslated } from './policy-targets.ts';

/** The kinds a SecurityPolicy with `jwt` can target (TCPRoute only takes `authorization`). */
const TARGET_KINDS = ['Gateway', 'HTTPRoute', 'GRPCRoute', 'XListenerSet'];
const TRANSLATED_FIELDS = ['targetRef', 'targetRefs', 'jwt', 'cors'];
const PROVIDER_FIELDS = [
  'name',
  'issuer',
  'audiences',
  'remoteJWKS',
  'localJWKS',
  'claimToHeaders',
  'extractFrom',
  'recomputeRoute',
];
/** Envoy Gateway's default: keys fetched from a remote JWKS are kept five minutes. */
const DEFAULT_CACHE_DURATION_MS = 300_000;

/**
 * gateway.envoyproxy.io/v1alpha1 SecurityPolicy, with the CRD's schema and CEL rules. Problems in a spec whose
 * targets are valid are reported and also kept in the policy (`refused`), so the routes it guards answer 500
 * rather than serve without authentication.
 */
export function decodeSecurityPolicy(doc: Fields, problems: Problems): SecurityPolicy {
  const metadata = objectMeta(doc['metadata'], ['metadata'], problems);
  const spec = object(doc['spec'], ['spec'], problems);
  const targetRefs = policyTargets(spec, TARGET_KINDS, problems);
  const attachable = problems.list.length === 0;
  const specProblems = new Problems();
  refuseUntranslated(spec, TRANSLATED_FIELDS, ['spec'], specProblems, 'only jwt and cors are translated');
  const jwt = optional(spec, 'jwt', jwtSpec, ['spec'], specProblems);
  const cors = optional(spec, 'cors', corsSpec, ['spec'], specProblems);
  for (const p of specProblems.list) problems.add(p.path, p.message);
  if (attachable && specProblems.list.length > 0) {
    const refused = specProblems.list.map((p) => `${formatPath(p.path)}: ${p.message}`);
    return { kind: 'SecurityPolicy', metadata, spec: { targetRefs, refused } };
  }
  return { kind: 'SecurityPolicy', metadata, spec: { targetRefs, ...(jwt && { jwt }), ...(cors && { cors }) } };
}

/** Envoy Gateway's Origin pattern: `*`, or scheme://host[:port] where `*` may be the host or its first label. */
const origin = string({
  min: 1,
  max: 253,
  pattern: /^(\*|https?:\/\/(\*|(\*\.)?(([\w-]+\.?)+)?[\w-]+)(:\d{1,5})?)$/,
  format: "'*' or http(s)://host[:port], where '*' may only be the host or its first label",
});
/** An HTTP method token, or `*`. */
const method = string({ min: 1, pattern: /^([A-Za-z0-9!#$%&'+\-.^_`|~]+|\*)$/, format: 'an HTTP method or *' });
/** A header name, or `*`. */
const corsHeader = string({ min: 1, pattern: /^([A-Za-z0-9!#$%&'+\-.^_`|~]+|\*)$/, format: 'a header name or *' });

function corsSpec(value: unknown, path: Path, problems: Problems): CORSFilter {
  const fields = object(value, path, problems);
  const maxAgeMs = optional(fields, 'maxAge', duration, path, problems);
  return {
    allowOrigins: defaulted(fields, 'allowOrigins', list(origin), [], path, problems),
    allowMethods: defaulted(fields, 'allowMethods', list(method), [], path, problems),
    allowHeaders: defaulted(fields, 'allowHeaders', list(corsHeader), [], path, problems),
    exposeHeaders: defaulted(fields, 'exposeHeaders', list(corsHeader), [], path, problems),
    allowCredentials: defaulted(fields, 'allowCredentials', boolean, false, path, problems),
    // Access-Control-Max-Age counts whole seconds; without maxAge none is sent.
    ...(maxAgeMs !== undefined && { maxAge: Math.floor(maxAgeMs / 1000) }),
  };
}

function jwtSpec(value: unknown, path: Path, problems: Problems): JWTSpec {
  const fields = object(value, path, problems);
  const providers = field(fields, 'providers', list(provider, { min: 1, max: 4 }), path, problems);
  checkUnique(providers, (p) => p.name, [...path, 'providers'], 'provider name', problems);
  return { optional: defaulted(fields, 'optional', boolean, false, path, problems), providers };
}

function provider(value: unknown, path: Path, problems: Problems): JWTProvider {
  const fields = object(value, path, problems);
  for (const key of Object.keys(fields).sort()) {
    if (!PROVIDER_FIELDS.includes(key) && !isAbsent(fields[key])) problems.add([...path, key], 'is not supported yet');
  }
  const issuer = optional(fields, 'issuer', string({ max: 253 }), path, problems);
  const extractFrom = optional(fields, 'extractFrom', extractor, path, problems);
  return {
    name: field(fields, 'name', string({ min: 1, max: 253 }), path, problems),
    ...(issuer !== undefined && { issuer }),
    audiences: defaulted(fields, 'audiences', list(string({ min: 1 }), { max: 8 }), [], path, problems),
    jwks: jwksSource(fields, path, problems),
    claimToHeaders: defaulted(fields, 'claimToHeaders', list(claimToHeader), [], path, problems),
    ...(extractFrom && { extractFrom }),
    recomputeRoute: defaulted(fields, 'recomputeRoute', boolean, false, path, problems),
  };
}

/** Exactly one of remoteJWKS and localJWKS, as the CRD's CEL rule says. */
function jwksSource(fields: Fields, path: Path, problems: Problems): JWKSSource {
  const remote = !isAbsent(fields['remoteJWKS']);
  const local = !isAbsent(fields['localJWKS']);
  if (remote === local) problems.add(path, 'exactly one of remoteJWKS or localJWKS must be set');
  const sources = [
    ...(remote ? [remoteJWKS(fields['remoteJWKS'], [...path, 'remoteJWKS'], problems)] : []),
    ...(local ? [localJWKS(fields['localJWKS'], [...path, 'localJWKS'], problems)] : []),
  ];
  return sources[0] ?? { type: 'Local', inline: '' };
}

function remoteJWKS(value: unknown, path: Path, problems: Problems): JWKSSource {
  const fields = object(value, path, problems);
  for (const key of Object.keys(fields).sort()) {
    if (key !== 'uri' && key !== 'cacheDuration' && !isAbsent(fields[key])) {
      problems.add([...path, key], 'is not supported yet');
    }
  }
  const uri = field(fields, 'uri', string({ min: 1, max: 253 }), path, problems);
  if (uri !== '' && !isHTTPURL(uri)) problems.add([...path, 'uri'], 'must be an http:// or https:// URL with a host');
  const known = problems.list.length;
  const cacheDuration = optional(fields, 'cacheDuration', duration, path, problems);
  // A malformed duration also reads as 0: report it once.
  if (cacheDuration === 0 && problems.list.length === known)
    problems.add([...path, 'cacheDuration'], 'must be at least 1ms');
  return { type: 'Remote', uri, cacheDurationMs: cacheDuration ?? DEFAULT_CACHE_DURATION_MS };
}

function isHTTPURL(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function localJWKS(value: unknown, path: Path, problems: Problems): JWKSSource {
  const fields = object(value, path, problems);
  const type = defaulted(fields, 'type', oneOf(['Inline', 'ValueRef']), 'Inline', path, problems);
  if (type === 'ValueRef') {
    problems.add([...path, 'type'], 'ValueRef is not supported yet; put the key set in inline');
    return { type: 'Local', inline: '' };
  }
  return { type: 'Local', inline: field(fields, 'inline', string({ min: 1 }), path, problems) };
}

function claimToHeader(value: unknown, path: Path, problems: Problems): ClaimToHeader {
  const fields = object(value, path, problems);
  return {
    header: field(fields, 'header', headerName, path, problems),
    claim: field(fields, 'claim', string({ min: 1 }), path, problems),
  };
}

function extractor(value: unknown, path: Path, problems: Problems): JWTExtractFrom {
  const fields = object(value, path, problems);
  const names = list(string({ min: 1 }));
  const result = {
    headers: defaulted(fields, 'headers', list(jwtHeader), [], path, problems),
    cookies: defaulted(fields, 'cookies', names, [], path, problems),
    params: defaulted(fields, 'params', names, [], path, problems),
  };
  if (result.headers.length + result.cookies.length + result.params.length === 0) {
    problems.add(path, 'at least one of headers, cookies or params must be set');
  }
  return result;
}

function jwtHeader(value: unknown, path: Path, problems: Problems): JWTExtractFrom['headers'][number] {
  const fields = object(value, path, problems);
  const valuePrefix = optional(fields, 'valuePrefix', string(), path, problems);
  return {
    name: field(fields, 'name', headerName, path, problems),
    ...(valuePrefix !== undefined && { valuePrefix }),
  };
}
