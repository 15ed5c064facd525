import { DEFAULT_NAMESPACE } from '@eg/ir';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { formatPath, Problems, type Fields, type Path } from './load/decode.ts';
import { decodeBackend } from './load/backend.ts';
import { decodeBackendTrafficPolicy } from './load/backendtrafficpolicy.ts';
import { decodeClientTrafficPolicy } from './load/clienttrafficpolicy.ts';
import { decodeEnvoyProxy } from './load/envoyproxy.ts';
import { decodeEndpointSlice, decodeNamespace, decodeService } from './load/core.ts';
import { decodeGateway, decodeGatewayClass, decodeReferenceGrant } from './load/gateway.ts';
import { decodeHTTPRouteFilter, decodeServiceImport } from './load/extension-resources.ts';
import { decodeGRPCRoute } from './load/grpcroute.ts';
import { decodeHTTPRoute } from './load/httproute.ts';
import { decodeTCPRoute, decodeTLSRoute, decodeUDPRoute } from './load/l4route.ts';
import { decodeSecret } from './load/secret.ts';
import { decodeConfigMap } from './load/configmap.ts';
import { decodeBackendTLSPolicy } from './load/backendtlspolicy.ts';
import { decodeSecurityPolicy } from './load/securitypolicy.ts';
import { describeResource, failsClosed, type Resource } from './resources.ts';

/** Where a problem is and what it is: `routes.yaml:14: HTTPRoute default/foo: spec.rules[0].port: ...`. */
export interface LoadErrorLocation {
  readonly file: string;
  /** 1-based line of the offending field, or of the nearest enclosing node that exists. */
  readonly line: number;
  /** `Kind namespace/name`, when the document got that far. */
  readonly resource?: string;
  /** Field path inside the document, e.g. `spec.rules[0].backendRefs[1].port`. */
  readonly path?: string;
}

/** One invalid document (or one problem in it). The other documents of the file still load. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  readonly location: LoadErrorLocation;
  /** The problem alone, without the location. */
  readonly detail: string;

  constructor(location: LoadErrorLocation, detail: string, options?: ErrorOptions) {
    const where = [`${location.file}:${location.line}`, location.resource, location.path].filter(Boolean).join(': ');
    super(`${where}: ${detail}`, options);
    this.location = location;
    this.detail = detail;
  }
}

/** Something the loader skipped on purpose, such as a kind it does not know. */
export interface LoadNotice {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface LoadResult {
  readonly resources: Resource[];
  readonly errors: LoadError[];
  readonly notices: LoadNotice[];
}

type DocumentDecoder = (doc: Fields, problems: Problems) => Resource;

/** `apiVersion kind` -> decoder. The versions the bundled CRDs serve. */
const DECODERS: ReadonlyMap<string, DocumentDecoder> = new Map<string, DocumentDecoder>([
  ['gateway.networking.k8s.io/v1 GatewayClass', decodeGatewayClass],
  ['gateway.networking.k8s.io/v1beta1 GatewayClass', decodeGatewayClass],
  ['gateway.networking.k8s.io/v1 Gateway', decodeGateway],
  ['gateway.networking.k8s.io/v1beta1 Gateway', decodeGateway],
  ['gateway.networking.k8s.io/v1 HTTPRoute', decodeHTTPRoute],
  ['gateway.networking.k8s.io/v1beta1 HTTPRoute', decodeHTTPRoute],
  ['gateway.networking.k8s.io/v1 GRPCRoute', decodeGRPCRoute],
  ['gateway.networking.k8s.io/v1alpha2 GRPCRoute', decodeGRPCRoute],
  ['gateway.networking.k8s.io/v1 ReferenceGrant', decodeReferenceGrant],
  ['gateway.networking.k8s.io/v1beta1 ReferenceGrant', decodeReferenceGrant],
  ['gateway.networking.k8s.io/v1alpha2 TLSRoute', decodeTLSRoute],
  ['gateway.networking.k8s.io/v1alpha3 TLSRoute', decodeTLSRoute],
  ['gateway.networking.k8s.io/v1 TLSRoute', decodeTLSRoute],
  ['gateway.networking.k8s.io/v1alpha2 TCPRoute', decodeTCPRoute],
  ['gateway.networking.k8s.io/v1 TCPRoute', decodeTCPRoute],
  ['gateway.networking.k8s.io/v1alpha2 UDPRoute', decodeUDPRoute],
  ['gateway.networking.k8s.io/v1 UDPRoute', decodeUDPRoute],
  ['gateway.envoyproxy.io/v1alpha1 Backend', decodeBackend],
  ['v1 Secret', decodeSecret],
  ['v1 ConfigMap', decodeConfigMap],
  ['gateway.networking.k8s.io/v1 BackendTLSPolicy', decodeBackendTLSPolicy],
  ['gateway.networking.k8s.io/v1alpha3 BackendTLSPolicy', decodeBackendTLSPolicy],
  ['gateway.envoyproxy.io/v1alpha1 EnvoyProxy', decodeEnvoyProxy],
  ['v1 Service', decodeService],
  ['v1 Namespace', decodeNamespace],
  ['discovery.k8s.io/v1 EndpointSlice', decodeEndpointSlice],
  ['multicluster.x-k8s.io/v1alpha1 ServiceImport', decodeServiceImport],
  ['gateway.envoyproxy.io/v1alpha1 HTTPRouteFilter', decodeHTTPRouteFilter],
  ['gateway.envoyproxy.io/v1alpha1 EnvoyProxy', decodeEnvoyProxy],
  ['gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy', decodeBackendTrafficPolicy],
  ['gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy', decodeClientTrafficPolicy],
  ['gateway.envoyproxy.io/v1alpha1 SecurityPolicy', decodeSecurityPolicy],
]);

/**
 * Parses multi-document YAML (or JSON) into validated, defaulted resources. Pure: the caller reads the file.
 * Each invalid document is reported and skipped (a SecurityPolicy with valid targets is kept as refused, so the
 * routes it guards fail closed); the valid ones are returned in file order.
 */
export function loadResources(text: string, file: string): LoadResult {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const result: LoadResult = { resources: [], errors: [], notices: [] };
  const seen = new Map<string, number>();
  for (const doc of Array.isArray(parsed) ? parsed : []) {
    const docLine = lineAt(lines, doc.contents?.range[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        result.errors.push(new LoadError({ file, line: lineAt(lines, err.pos[0]) }, err.message, { cause: err }));
      }
      continue;
    }
    const loaded = loadDocument(doc, file, lines, docLine, result);
    if (!loaded) continue;
    const key = describeResource(loaded);
    const first = seen.get(key);
    if (first !== undefined) {
      result.errors.push(
        new LoadError({ file, line: docLine, resource: key }, `duplicate of the ${loaded.kind} at line ${first}`),
      );
      continue;
    }
    seen.set(key, docLine);
    result.resources.push(loaded);
  }
  return result;
}

function loadDocument(
  doc: Document.Parsed,
  file: string,
  lines: LineCounter,
  docLine: number,
  result: LoadResult,
): Resource | undefined {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    result.errors.push(new LoadError({ file, line: docLine }, detail, { cause: err }));
    return undefined;
  }
  if (value === null || value === undefined) return undefined; // an empty document, e.g. after a trailing `---`
  if (typeof value !== 'object' || Array.isArray(value)) {
    result.errors.push(new LoadError({ file, line: docLine }, 'a resource must be a YAML mapping'));
    return undefined;
  }
  const fields = value as Fields;
  const { apiVersion, kind } = fields;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    result.errors.push(new LoadError({ file, line: docLine }, 'apiVersion and kind are required strings'));
    return undefined;
  }
  const resource = rawName(kind, fields);
  const decode = DECODERS.get(`${apiVersion} ${kind}`);
  if (!decode) {
    result.notices.push({ file, line: docLine, message: `${resource} (${apiVersion}) ignored: kind not supported` });
    return undefined;
  }
  const problems = new Problems();
  const loaded = decode(fields, problems);
  for (const problem of problems.list) {
    const location = {
      file,
      line: lineOfPath(doc, lines, problem.path, docLine),
      resource,
      path: formatPath(problem.path),
    };
    result.errors.push(new LoadError(location, problem.message));
  }
  return problems.list.length === 0 || failsClosed(loaded) ? loaded : undefined;
}

/** `Kind namespace/name` from the raw document, for messages about a document that may not decode. */
function rawName(kind: string, fields: Fields): string {
  const metadata = fields['metadata'];
  if (!metadata || typeof metadata !== 'object') return kind;
  const { name, namespace } = metadata as Fields;
  if (typeof name !== 'string') return kind;
  const clusterScoped = kind === 'GatewayClass' || kind === 'Namespace';
  if (clusterScoped) return `${kind} ${name}`;
  return `${kind} ${typeof namespace === 'string' ? namespace : DEFAULT_NAMESPACE}/${name}`;
}

/** The line of the node at `path`, or of its nearest ancestor when the field is missing. */
function lineOfPath(doc: Document.Parsed, lines: LineCounter, path: Path, fallback: number): number {
  for (let n = path.length; n > 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      return lineAt(lines, node.range[0] as number);
    }
  }
  return fallback;
}

function lineAt(lines: LineCounter, offset: number): number {
  return lines.linePos(offset).line;
}
