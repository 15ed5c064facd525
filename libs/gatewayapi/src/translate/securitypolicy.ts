import type { CORS, JWTProvider, RouteSecurity } from '@eg/ir';
import type { SecurityPolicy } from '../resources.ts';
import { corsPolicy } from './http-filters.ts';
import { attachRoutePolicies, type CompiledPolicy, type PolicyWorld, type RoutePolicies } from './policy-attachment.ts';

/** What a SecurityPolicy gives each route it applies to. */
interface RouteSecurityFeatures {
  readonly security: RouteSecurity;
  readonly cors?: CORS;
}

/**
 * Attaches SecurityPolicies (see attachPolicies for precedence and status): they secure routes and set their CORS
 * policy, unless the route has a CORS filter of its own, which is the more specific of the two.
 */
export function attachSecurityPolicies(world: Omit<PolicyWorld<SecurityPolicy>, 'invalid'>): RoutePolicies {
  return attachRoutePolicies(world, compileSecurity, (route, { security, cors }) => ({
    ...route,
    ...(security.jwt && { security }),
    ...(cors && !route.cors && { cors }),
  }));
}

/** The checks Envoy Gateway makes when it translates a policy (the loader made the CRD's, and refused some). */
function compileSecurity(policy: SecurityPolicy): CompiledPolicy<RouteSecurityFeatures> {
  const { spec } = policy;
  if ('refused' in spec) return { valid: false, message: `invalid ${spec.refused.join('; ')}` };
  const { jwt } = spec;
  const cors = spec.cors && corsPolicy(spec.cors);
  if (!jwt) return { valid: true, value: { security: {}, ...(cors && { cors }) } };
  for (const [i, provider] of jwt.providers.entries()) {
    const problem = providerProblem(provider);
    if (problem) return { valid: false, message: `invalid spec.jwt.providers[${i}].${problem}` };
  }
  const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
  return {
    valid: true,
    value: { security: { jwt: { name, allowMissing: jwt.optional, providers: jwt.providers } }, ...(cors && { cors }) },
  };
}

function providerProblem(provider: JWTProvider): string | undefined {
  // RFC 7519 StringOrURI: an issuer with a colon must be a URI.
  if (provider.issuer?.includes(':') && !URL.canParse(provider.issuer)) {
    return 'issuer: must be a valid URI when it contains ":"';
  }
  if (provider.jwks.type === 'Local' && !isKeySet(provider.jwks.inline)) {
    return 'localJWKS.inline: must be a JSON Web Key Set (a JSON object whose keys list holds objects with kty)';
  }
  return undefined;
}

function isKeySet(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || !('keys' in parsed) || !Array.isArray(parsed.keys)) return false;
  const keys: unknown[] = parsed.keys;
  return keys.length > 0 && keys.every((k) => typeof k === 'object' && k !== null && 'kty' in k);
}
