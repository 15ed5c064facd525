import type { HTTPRoute as IRRoute, JWTProvider, ResourceStatus, RouteSecurity } from '@eg/ir';
import type { SecurityPolicy } from '../resources.ts';
import type { ListenerContext } from './listeners.ts';
import { attachPolicies, type PolicyWorld } from './policy-attachment.ts';
import type { RankedRoute } from './precedence.ts';

/** The SecurityPolicies that apply to each route, and the policies' statuses. */
export interface SecurityPolicies {
  /** The route as the most specific policy that applies to it on this listener secures it. */
  applyTo(listener: ListenerContext, route: RankedRoute): IRRoute;
  readonly statuses: readonly ResourceStatus[];
}

/** What a policy asks of every route it applies to, or why it cannot be translated. */
type CompiledSecurity =
  { readonly valid: true; readonly security: RouteSecurity } | { readonly valid: false; readonly message: string };

/** Attaches SecurityPolicies (see attachPolicies for precedence and status). */
export function attachSecurityPolicies(world: Omit<PolicyWorld<SecurityPolicy>, 'invalid'>): SecurityPolicies {
  const compiled = new Map(world.policies.map((p) => [p, compileSecurity(p)]));
  const attached = attachPolicies({
    ...world,
    invalid: (policy) => {
      const result = compiled.get(policy)!;
      return result.valid ? undefined : result.message;
    },
  });
  return {
    statuses: attached.statuses,
    applyTo(listener, ranked) {
      const policy = attached.policyFor(listener, ranked);
      if (!policy) return ranked.route;
      const result = compiled.get(policy)!;
      // A policy that cannot be translated must not leave its routes open: Envoy Gateway answers them with 500.
      if (!result.valid) return { ...ranked.route, action: { type: 'DirectResponse', statusCode: 500 } };
      return result.security.jwt ? { ...ranked.route, security: result.security } : ranked.route;
    },
  };
}

/** The checks Envoy Gateway makes when it translates a policy (the loader made the CRD's, and refused some). */
function compileSecurity(policy: SecurityPolicy): CompiledSecurity {
  const { spec } = policy;
  if ('refused' in spec) return { valid: false, message: `invalid ${spec.refused.join('; ')}` };
  const { jwt } = spec;
  if (!jwt) return { valid: true, security: {} };
  for (const [i, provider] of jwt.providers.entries()) {
    const problem = providerProblem(provider);
    if (problem) return { valid: false, message: `invalid spec.jwt.providers[${i}].${problem}` };
  }
  const name = `${policy.metadata.namespace}/${policy.metadata.name}`;
  return { valid: true, security: { jwt: { name, allowMissing: jwt.optional, providers: jwt.providers } } };
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
