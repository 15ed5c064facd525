import { X509Certificate } from 'node:crypto';
import { CONTROLLER_NAME, type ResourceStatus, type UpstreamTLS } from '@eg/ir';
import {
  API_VERSION,
  CORE_GROUP,
  GATEWAY_API_GROUP,
  type BackendObjectReference,
  type BackendTLSPolicy,
  type ConfigMap,
  type HTTPRouteFilter,
  type Secret,
} from '../resources.ts';
import { condition, type Problem } from './conditions.ts';

/** The key CA certificates are read from, in ConfigMaps and Secrets alike. */
const CA_KEY = 'ca.crt';

/** What a BackendTLSPolicy makes of the Service ports it claims. */
export type BackendTLSOutcome =
  | { readonly valid: true; readonly tls: UpstreamTLS }
  /** The CA could not be used: backendRefs to its ports get no traffic (Envoy answers 500), never plaintext. */
  | { readonly valid: false; readonly reason: 'InvalidCACertificateRef' | 'InvalidKind'; readonly message: string };

export interface BackendTLSPolicies {
  /** The outcome for a Service port (`portName` as the Service names it), or undefined: no policy, plaintext. */
  forServicePort(namespace: string, service: string, portName: string | undefined): BackendTLSOutcome | undefined;
  /** Every policy with its outcome and the Service targets it lost to an older policy. */
  readonly compiled: readonly CompiledBackendTLSPolicy[];
}

export interface CompiledBackendTLSPolicy {
  readonly policy: BackendTLSPolicy;
  readonly outcome: BackendTLSOutcome;
  readonly conflicts: readonly string[];
}

export interface CALookup {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

/**
 * Resolves BackendTLSPolicies (oldest first): each targets Services (`group: ""`), a whole Service or one port by
 * `sectionName`. The oldest policy claims a target; later ones on the same target are Conflicted. A port uses the
 * policy that names it, else the one on the whole Service.
 */
export function compileBackendTLSPolicies(policies: readonly BackendTLSPolicy[], lookup: CALookup): BackendTLSPolicies {
  const claims = new Map<string, CompiledBackendTLSPolicy>();
  const compiled: CompiledBackendTLSPolicy[] = [];
  for (const policy of policies) {
    const conflicts: string[] = [];
    const entry = { policy, outcome: outcomeOf(policy, lookup), conflicts };
    for (const target of policy.spec.targetRefs) {
      if (target.group !== CORE_GROUP || target.kind !== 'Service') continue;
      const key = targetKey(policy.metadata.namespace, target.name, target.sectionName);
      if (claims.has(key)) conflicts.push(target.sectionName ? `${target.name}/${target.sectionName}` : target.name);
      else claims.set(key, entry);
    }
    compiled.push(entry);
  }
  return {
    compiled,
    forServicePort: (namespace, service, portName) =>
      (
        (portName !== undefined && claims.get(targetKey(namespace, service, portName))) ||
        claims.get(targetKey(namespace, service, undefined))
      )?.outcome,
  };
}

function targetKey(namespace: string, service: string, section: string | undefined): string {
  return JSON.stringify([namespace, service, section ?? '']);
}

function outcomeOf(policy: BackendTLSPolicy, lookup: CALookup): BackendTLSOutcome {
  const { validation } = policy.spec;
  const base = { sni: validation.hostname, subjectAltNames: validation.subjectAltNames };
  if (validation.wellKnownCACertificates === 'System')
    return { valid: true, tls: { ...base, trust: { type: 'System' } } };
  const pems: string[] = [];
  for (const ref of validation.caCertificateRefs) {
    const where = `${ref.kind} ${policy.metadata.namespace}/${ref.name}`;
    if (ref.group !== CORE_GROUP || (ref.kind !== 'ConfigMap' && ref.kind !== 'Secret')) {
      return {
        valid: false,
        reason: 'InvalidKind',
        message: `caCertificateRefs ${ref.group === CORE_GROUP ? '' : `${ref.group}/`}${ref.kind} ${ref.name}: only ConfigMap and Secret are supported`,
      };
    }
    const pem = caText(ref.kind, policy.metadata.namespace, ref.name, lookup);
    if (pem === undefined) return invalidRef(`${where} not found`);
    if (pem.trim() === '') return invalidRef(`${where} has no ${CA_KEY}`);
    if (!isCertificate(pem)) return invalidRef(`${where}: ${CA_KEY} is not a PEM encoded certificate`);
    pems.push(pem.trim());
  }
  return { valid: true, tls: { ...base, trust: { type: 'Inline', pem: `${pems.join('\n')}\n` } } };
}

function invalidRef(message: string): BackendTLSOutcome {
  return { valid: false, reason: 'InvalidCACertificateRef', message };
}

/** The CA text of a ConfigMap or Secret; '' when it has none, undefined when the object does not exist. */
export function caText(
  kind: 'ConfigMap' | 'Secret',
  namespace: string,
  name: string,
  lookup: CALookup,
): string | undefined {
  if (kind === 'ConfigMap') {
    const map = lookup.configMap(namespace, name);
    return map && (map.data[CA_KEY] ?? '');
  }
  const secret = lookup.secret(namespace, name);
  const encoded = secret?.data[CA_KEY];
  return secret && (encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8'));
}

/** Every PEM block parses as an X.509 certificate (Envoy would reject the config otherwise). */
export function isCertificate(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

/** A Gateway a policy reports on: it serves a route whose backendRefs reach a Service the policy targets. */
export interface BackendTLSAncestor {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Status per policy, on each Gateway (ancestor) that uses one of its Services: Accepted (False/Conflicted when an
 * older policy holds a target, False/NoValidCACertificate when the CA is unusable) and ResolvedRefs.
 * A policy no managed Gateway uses gets no status.
 */
export function backendTLSPolicyStatuses(
  policies: BackendTLSPolicies,
  ancestorsOf: (namespace: string, service: string) => readonly BackendTLSAncestor[],
): ResourceStatus[] {
  const statuses: ResourceStatus[] = [];
  for (const { policy, outcome, conflicts } of policies.compiled) {
    const { namespace, name, generation } = policy.metadata;
    const ancestors = new Map<string, BackendTLSAncestor>();
    for (const t of policy.spec.targetRefs) {
      if (t.group !== CORE_GROUP || t.kind !== 'Service') continue;
      for (const a of ancestorsOf(namespace, t.name)) ancestors.set(`${a.namespace}/${a.name}`, a);
    }
    if (ancestors.size === 0) continue;
    const accepted: Problem & { status: 'True' | 'False' } =
      conflicts.length > 0
        ? {
            status: 'False',
            reason: 'Conflicted',
            message: `Unable to target Service ${conflicts.join(', ')}, another BackendTLSPolicy has already attached to it.`,
          }
        : outcome.valid
          ? { status: 'True', reason: 'Accepted', message: 'Policy has been accepted.' }
          : { status: 'False', reason: 'NoValidCACertificate', message: `${outcome.message}.` };
    const resolved = outcome.valid
      ? condition('ResolvedRefs', 'True', 'ResolvedRefs', 'Resolved all the Object references.', generation)
      : condition('ResolvedRefs', 'False', outcome.reason, `${outcome.message}.`, generation);
    const list = [...ancestors.values()]
      .sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name))
      .map((a) => ({
        ancestorRef: { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: a.namespace, name: a.name },
        controllerName: CONTROLLER_NAME,
        conditions: [condition('Accepted', accepted.status, accepted.reason, accepted.message, generation), resolved],
      }));
    statuses.push({
      kind: 'BackendTLSPolicy',
      apiVersion: API_VERSION.BackendTLSPolicy,
      namespace,
      name,
      status: { ancestors: list },
    });
  }
  return statuses;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A route as far as BackendTLSPolicy ancestors go: where it is, and the backends its rules and mirrors name. */
export interface ServiceUser {
  readonly kind: string;
  readonly metadata: { readonly namespace: string; readonly name: string };
  readonly spec: {
    readonly rules: readonly {
      readonly backendRefs: readonly BackendObjectReference[];
      readonly filters: readonly HTTPRouteFilter[];
    }[];
  };
}

/**
 * The managed Gateways that send traffic to each Service (`namespace/name`): those serving a route (by its
 * `kind/namespace/name`, from `attached`) whose backendRefs or mirrors name the Service.
 */
export function gatewaysByService(
  attached: Iterable<{ readonly gateway: BackendTLSAncestor; readonly routeKeys: Iterable<string> }>,
  routes: readonly ServiceUser[],
): (namespace: string, service: string) => readonly BackendTLSAncestor[] {
  const byKey = new Map(routes.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r]));
  const users = new Map<string, Map<string, BackendTLSAncestor>>();
  for (const { gateway, routeKeys } of attached) {
    for (const key of routeKeys) {
      const route = byKey.get(key);
      if (!route) continue;
      for (const rule of route.spec.rules) {
        const mirrors = rule.filters.flatMap((f) => (f.type === 'RequestMirror' ? [f.requestMirror.backendRef] : []));
        for (const ref of [...rule.backendRefs, ...mirrors]) {
          if (ref.group !== CORE_GROUP || ref.kind !== 'Service') continue;
          const service = `${ref.namespace ?? route.metadata.namespace}/${ref.name}`;
          const gateways = users.get(service) ?? new Map<string, BackendTLSAncestor>();
          gateways.set(`${gateway.namespace}/${gateway.name}`, gateway);
          users.set(service, gateways);
        }
      }
    }
  }
  return (namespace, service) => [...(users.get(`${namespace}/${service}`)?.values() ?? [])];
}
