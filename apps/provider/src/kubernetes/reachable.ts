import type { KubernetesObject } from '@kubernetes/client-node';
import { CONTROLLER_NAME } from '@eg/ir';
import { POLICY_KINDS, ROUTE_KINDS } from './kinds.ts';

/** A raw object as the informers hold it. */
export type RawObject = KubernetesObject & { readonly spec?: unknown };

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};
}

function items(value: unknown): Fields[] {
  return Array.isArray(value) ? value.map(fields) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function id(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function idOf(obj: RawObject): string {
  return id(obj.kind ?? '', obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** A reference `{group?, kind?, name, namespace?}` resolved against defaults, as Gateway API reads it. */
function ref(r: Fields, defaultKind: string, defaultNamespace: string | undefined): string | undefined {
  const name = str(r['name']);
  if (!name) return undefined;
  return id(str(r['kind']) ?? defaultKind, str(r['namespace']) ?? defaultNamespace, name);
}

/** Secrets and ConfigMaps a policy or listener names anywhere in its spec (certificate, CA, credential refs). */
function collectSecretRefs(value: unknown, namespace: string | undefined, key: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectSecretRefs(v, namespace, key, out);
    return;
  }
  const f = fields(value);
  if (Object.keys(f).length === 0) return;
  const kind = str(f['kind']);
  const refLike = /(Ref|Refs|Secret|users|credentialRefs)$/.test(key);
  if (str(f['name']) && (kind === 'Secret' || kind === 'ConfigMap' || (refLike && kind === undefined))) {
    const r = ref(f, 'Secret', namespace);
    if (r) out.add(r);
  }
  for (const [k, v] of Object.entries(f)) collectSecretRefs(v, namespace, k, out);
}

/**
 * The objects the translator needs: managed GatewayClasses, their Gateways, the routes attached to them,
 * and what those reference (Services with their EndpointSlices, ServiceImports, Backends, Secrets,
 * ConfigMaps, EnvoyProxies), plus the small cluster-wide kinds (Namespaces, ReferenceGrants, policies).
 * Everything else in the cluster, such as thousands of unrelated Secrets, stays off the bus.
 */
export function reachableObjects(list: (kind: string) => readonly RawObject[]): RawObject[] {
  const out = new Map<string, RawObject>();
  const add = (o: RawObject): void => void out.set(idOf(o), o);
  const wanted = new Set<string>();

  const classes = list('GatewayClass').filter((c) => fields(c.spec)['controllerName'] === CONTROLLER_NAME);
  const classNames = new Set(classes.map((c) => c.metadata?.name));
  for (const c of classes) {
    add(c);
    const p = fields(fields(c.spec)['parametersRef']);
    if (str(p['kind']) === 'EnvoyProxy') wanted.add(ref(p, 'EnvoyProxy', undefined) ?? '');
  }

  const gateways = list('Gateway').filter((g) => classNames.has(str(fields(g.spec)['gatewayClassName'])));
  const gatewayIds = new Set<string>();
  for (const g of gateways) {
    add(g);
    const ns = g.metadata?.namespace;
    gatewayIds.add(id('Gateway', ns, g.metadata?.name ?? ''));
    const spec = fields(g.spec);
    const p = fields(fields(spec['infrastructure'])['parametersRef']);
    if (str(p['kind']) === 'EnvoyProxy') wanted.add(ref(p, 'EnvoyProxy', ns) ?? '');
    for (const l of items(spec['listeners'])) collectSecretRefs(l['tls'], ns, 'tls', wanted);
  }

  const services = new Set<string>();
  for (const kind of ROUTE_KINDS) {
    for (const r of list(kind)) {
      const ns = r.metadata?.namespace;
      const spec = fields(r.spec);
      const attached = items(spec['parentRefs']).some(
        (p) => (str(p['kind']) ?? 'Gateway') === 'Gateway' && gatewayIds.has(ref(p, 'Gateway', ns) ?? ''),
      );
      if (!attached) continue;
      add(r);
      for (const rule of items(spec['rules'])) {
        const refs = [
          ...items(rule['backendRefs']),
          ...items(rule['filters']).map((f) => fields(fields(f['requestMirror'])['backendRef'])),
        ];
        for (const b of refs) {
          const target = ref(b, 'Service', ns);
          if (!target) continue;
          wanted.add(target);
          if (target.startsWith('Service/') || target.startsWith('ServiceImport/')) services.add(target);
        }
      }
    }
  }

  for (const kind of ['Namespace', 'ReferenceGrant', 'HTTPRouteFilter', ...POLICY_KINDS]) {
    for (const o of list(kind)) {
      add(o);
      if (POLICY_KINDS.has(kind)) collectSecretRefs(o.spec, o.metadata?.namespace, 'spec', wanted);
    }
  }

  for (const kind of ['Service', 'ServiceImport', 'Backend', 'Secret', 'ConfigMap', 'EnvoyProxy']) {
    for (const o of list(kind)) if (wanted.has(idOf(o))) add(o);
  }
  for (const slice of list('EndpointSlice')) {
    const labels = slice.metadata?.labels ?? {};
    const ns = slice.metadata?.namespace;
    const service = labels['kubernetes.io/service-name'];
    const imported = labels['multicluster.kubernetes.io/service-name'];
    if (
      (service && services.has(id('Service', ns, service))) ||
      (imported && services.has(id('ServiceImport', ns, imported)))
    ) {
      add(slice);
    }
  }
  return [...out.values()];
}
