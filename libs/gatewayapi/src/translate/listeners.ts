import type { Condition, TLSTerminate } from '@eg/ir';
import { GATEWAY_API_GROUP, type Gateway, type Listener, type RouteGroupKind } from '../resources.ts';
import { condition, sentence } from './conditions.ts';
import { matchesSelector } from './label-selector.ts';
import { findConflicts, type ListenerConflict } from './listener-conflicts.ts';
import { resolveClientValidation, resolveListenerTLS } from './listener-tls.ts';
import type { ResourceIndex } from './resource-index.ts';

export interface TranslateOptions {
  /** Envoy runs as a host process (standalone): listener ports are bound as written. */
  readonly runningOnHost: boolean;
}

/** A Gateway listener after validation: what it accepts and how its status reads. */
export interface ListenerContext {
  readonly gateway: Gateway;
  readonly spec: Listener;
  /** `<namespace>/<gateway>/<listener>` */
  readonly irName: string;
  /** The port Envoy binds. */
  readonly containerPort: number;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly accepted: boolean;
  /** Part of the xDS IR. */
  readonly programmed: boolean;
  /** How Envoy serves the listener; absent when it is not accepted. */
  readonly serve?: ListenerServe;
  /** Programmed, Accepted, ResolvedRefs (Envoy Gateway's order). */
  readonly conditions: readonly Condition[];
  allowsRoute(kind: string, namespace: string): boolean;
}

/** What Envoy does with a listener's connections. */
export type ListenerServe =
  | { readonly type: 'HTTP' }
  | { readonly type: 'HTTPS'; readonly tls: TLSTerminate }
  | { readonly type: 'TLSPassthrough' }
  | { readonly type: 'TLSTerminate'; readonly tls: TLSTerminate }
  | { readonly type: 'TCP' }
  | { readonly type: 'UDP' };

/** Route kinds each supported protocol serves (TLS: in Passthrough mode; Terminate also takes TCPRoutes). */
const PROTOCOL_ROUTE_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
  TLS: ['TLSRoute'],
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
};

const MSG_PROGRAMMED = 'Sending translated listener configuration to the data plane';
const MSG_ACCEPTED = 'Listener has been successfully translated';
const MSG_RESOLVED = 'Listener references have been resolved';
const MSG_INVALID = 'Listener is invalid, see other Conditions for details.';
const MSG_SELECTOR_MISSING =
  'The allowedRoutes.namespaces.selector field must be specified when allowedRoutes.namespaces.from is set to "Selector".';

/** Envoy binds privileged ports shifted by 10000 inside Kubernetes; on the host it binds them as written. */
function containerPort(port: number, options: TranslateOptions): number {
  return !options.runningOnHost && port < 1024 ? port + 10000 : port;
}

export function evaluateListeners(
  gateway: Gateway,
  index: ResourceIndex,
  options: TranslateOptions,
): ListenerContext[] {
  const conflicts = findConflicts(gateway.spec.listeners.filter((l) => PROTOCOL_ROUTE_KINDS[l.protocol]));
  return gateway.spec.listeners.map((spec) =>
    evaluateListener(gateway, spec, conflicts.get(spec.name), index, options),
  );
}

function evaluateListener(
  gateway: Gateway,
  spec: Listener,
  conflict: ListenerConflict | undefined,
  index: ResourceIndex,
  options: TranslateOptions,
): ListenerContext {
  const { namespace, name, generation } = gateway.metadata;
  const base = {
    gateway,
    spec,
    irName: `${namespace}/${name}/${spec.name}`,
    containerPort: containerPort(spec.port, options),
  };
  const cond = (type: string, ok: boolean, reason: string, message: string) =>
    condition(type, ok ? 'True' : 'False', reason, message, generation);
  const resolved = cond('ResolvedRefs', true, 'ResolvedRefs', MSG_RESOLVED);

  if (!PROTOCOL_ROUTE_KINDS[spec.protocol]) {
    const message = `Protocol ${spec.protocol} is unsupported, must be ${Object.keys(PROTOCOL_ROUTE_KINDS).join(', ')}.`;
    return rejected(base, [
      cond('Programmed', false, 'Invalid', MSG_INVALID),
      cond('Accepted', false, 'UnsupportedProtocol', message),
      resolved,
    ]);
  }
  const routeNamespaces = spec.allowedRoutes.namespaces;
  const allowsNamespace = (routeNamespace: string): boolean => {
    switch (routeNamespaces.from) {
      case 'All':
        return true;
      case 'Same':
        return routeNamespace === namespace;
      case 'Selector':
        return (
          routeNamespaces.selector !== undefined &&
          matchesSelector(routeNamespaces.selector, index.namespaceLabels(routeNamespace))
        );
    }
  };
  if (routeNamespaces.from === 'Selector' && !routeNamespaces.selector) {
    return rejected(base, [
      cond('Programmed', false, 'Invalid', MSG_INVALID),
      cond('Accepted', false, 'UnsupportedValue', MSG_SELECTOR_MISSING),
      resolved,
    ]);
  }

  if (conflict) {
    return rejected(base, [
      cond('Programmed', false, 'Invalid', MSG_INVALID),
      cond('Accepted', false, conflict.reason, sentence(conflict.message)),
      resolved,
      condition('Conflicted', 'True', conflict.reason, sentence(conflict.message), generation),
    ]);
  }
  // A terminating listener is accepted and counts its routes even when its certificates fail, as Gateway API
  // asks; it is only kept out of Envoy.
  const terminates = spec.protocol === 'HTTPS' || (spec.protocol === 'TLS' && spec.tls?.mode === 'Terminate');
  const tls = terminates ? resolveListenerTLS(gateway, spec.tls?.certificateRefs ?? [], index) : undefined;
  const clients = terminates ? resolveClientValidation(gateway, spec.port, index) : undefined;
  if (clients && !clients.valid) {
    // Serving without the validation asked for would let in clients the Gateway means to refuse.
    return rejected(base, [
      cond('Programmed', false, 'Invalid', MSG_INVALID),
      cond('Accepted', false, 'NoValidCACertificate', sentence(clients.problem.message)),
      cond('ResolvedRefs', false, clients.problem.reason, sentence(clients.problem.message)),
    ]);
  }
  const kinds = supportedKinds(spec, protocolKinds(spec));
  const tlsProblem = tls && !tls.valid ? tls.problem : undefined;
  const programmed = kinds.supported.length > 0 && !tlsProblem;
  const validation = clients?.valid ? clients.validation : undefined;
  const serve = tls?.valid
    ? serveTerminating(spec, { ...tls.tls, ...(validation && { clientValidation: validation }) })
    : servePlain(spec);
  return {
    ...base,
    supportedKinds: kinds.supported,
    accepted: true,
    programmed,
    ...(programmed && serve && { serve }),
    conditions: [
      programmed
        ? cond('Programmed', true, 'Programmed', MSG_PROGRAMMED)
        : cond('Programmed', false, 'Invalid', MSG_INVALID),
      cond('Accepted', true, 'Accepted', MSG_ACCEPTED),
      tlsProblem
        ? cond('ResolvedRefs', false, tlsProblem.reason, sentence(tlsProblem.message))
        : kinds.problem
          ? cond('ResolvedRefs', false, 'InvalidRouteKinds', kinds.problem)
          : resolved,
    ],
    allowsRoute: (kind, routeNamespace) => allowsKind(kinds.supported, kind) && allowsNamespace(routeNamespace),
  };
}

function serveTerminating(spec: Listener, tls: TLSTerminate): ListenerServe {
  return spec.protocol === 'HTTPS' ? { type: 'HTTPS', tls } : { type: 'TLSTerminate', tls };
}

function servePlain(spec: Listener): ListenerServe | undefined {
  switch (spec.protocol) {
    case 'HTTP':
    case 'TCP':
    case 'UDP':
      return { type: spec.protocol };
    case 'TLS':
      return { type: 'TLSPassthrough' };
    default:
      return undefined;
  }
}

/** The route kinds a listener's protocol (and TLS mode) can serve. */
function protocolKinds(spec: Listener): readonly string[] {
  if (spec.protocol === 'TLS' && spec.tls?.mode === 'Terminate') return ['TCPRoute', 'TLSRoute'];
  return PROTOCOL_ROUTE_KINDS[spec.protocol] ?? [];
}

function allowsKind(supported: readonly RouteGroupKind[], kind: string): boolean {
  return supported.some((k) => k.group === GATEWAY_API_GROUP && k.kind === kind);
}

/** A listener of a Gateway that is not accepted as a whole: it keeps its findings but Envoy serves none of it. */
export function withdrawn(listener: ListenerContext): ListenerContext {
  const { generation } = listener.gateway.metadata;
  const programmed = condition('Programmed', 'False', 'Invalid', MSG_INVALID, generation);
  const { serve: _serve, ...rest } = listener;
  return {
    ...rest,
    programmed: false,
    conditions: listener.conditions.map((c) => (c.type === 'Programmed' ? programmed : c)),
  };
}

function rejected(
  base: Omit<ListenerContext, 'supportedKinds' | 'accepted' | 'programmed' | 'conditions' | 'allowsRoute' | 'serve'>,
  conditions: Condition[],
): ListenerContext {
  return { ...base, supportedKinds: [], accepted: false, programmed: false, conditions, allowsRoute: () => false };
}

/** The listener's allowed kinds that its protocol serves; the others are dropped and reported. */
function supportedKinds(
  spec: Listener,
  protocolKinds: readonly string[],
): { supported: RouteGroupKind[]; problem?: string } {
  if (!spec.allowedRoutes.kinds)
    return { supported: protocolKinds.map((kind) => ({ group: GATEWAY_API_GROUP, kind })) };
  const supported: RouteGroupKind[] = [];
  const problems: string[] = [];
  const unsupported: string[] = [];
  for (const k of spec.allowedRoutes.kinds) {
    if (k.group !== GATEWAY_API_GROUP) problems.push(`Group is not supported, group must be ${GATEWAY_API_GROUP}`);
    else if (!protocolKinds.includes(k.kind)) unsupported.push(k.kind);
    else if (!supported.some((s) => s.kind === k.kind)) supported.push(k);
  }
  const valid = supported.length > 0 ? supported.map((s) => s.kind) : protocolKinds;
  for (const kind of unsupported) problems.push(`${kind} is not supported, kind must be one of [${valid.join(' ')}]`);
  return problems.length === 0 ? { supported } : { supported, problem: problems.join('\n') };
}
