import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from './errors.ts';
import { isObject, jsonPatch, type JsonObject, type JsonPatchOperation } from './json.ts';
import { ALL_TYPES, apiVersionOf, typeId, type ResourceType } from './resource-types.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { Store, type Subresource, type WatchEventType } from './store.ts';
import { listenOnFreePort } from '../ports.ts';

export interface KubeApiServerOptions {
  /** Kinds served; default all of core, Gateway API and Envoy Gateway (leave some out to test missing CRDs). */
  readonly types?: readonly ResourceType[];
  /** Changes kept for watches to resume from; older resourceVersions get 410 Gone. */
  readonly historySize?: number;
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK. */
  readonly bookmarkIntervalMs?: number;
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A kubeconfig (YAML) pointing at this server, for `--kubeconfig` and KubeConfig.loadFromString. */
  readonly kubeconfig: string;
  readonly store: Store;
  /** Drops every history entry so resumed watches get 410 Gone (as after etcd compaction). */
  compact(): void;
  /** Closes every open watch stream, as an API server restart or a load balancer timeout does. */
  closeWatches(): void;
  /** Requests served, by `METHOD path` (query excluded), to assert how many writes something cost. */
  readonly requests: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

interface Target {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: Subresource;
}

const BUILTIN_GROUPS = new Set(['', 'apps', 'discovery.k8s.io', 'autoscaling', 'policy', 'coordination.k8s.io']);
const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A Kubernetes API server emulator over plain HTTP: discovery, list, watch (with bookmarks and 410 Gone),
 * get, create, update, delete (finalizers, ownerReference garbage collection), JSON merge patch, server-side
 * apply with managedFields, and the status subresource. Everything @kubernetes/client-node needs for
 * informers, KubernetesObjectApi and the generated typed clients.
 */
export async function startKubeApiServer(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const types = opts.types ?? ALL_TYPES;
  const store = new Store(opts.historySize ?? 1000);
  for (const type of types) store.register(type);
  const bookmarkMs = opts.bookmarkIntervalMs ?? 1000;
  const byPath = new Map<string, ResourceType>(types.map((t) => [typeId(t), t]));
  const namespaceType = types.find((t) => t.kind === 'Namespace' && t.group === '');
  if (namespaceType) {
    for (const name of DEFAULT_NAMESPACES)
      store.create(namespaceType, undefined, { metadata: { name } }, 'kube-apiserver');
  }
  const watches = new Set<ServerResponse>();
  const requests = new Map<string, number>();

  const groups = (): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const t of types) {
      if (t.group === '') continue;
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  };

  const groupDoc = (group: string, versions: string[]): JsonObject => ({
    name: group,
    versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0]! },
  });

  const resourceList = (group: string, version: string): JsonObject | undefined => {
    const served = types.filter((t) => t.group === group && t.version === version);
    if (served.length === 0) return undefined;
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: served.flatMap((t) => [
        { name: t.plural, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs },
        ...(t.status
          ? [
              {
                name: `${t.plural}/status`,
                singularName: '',
                namespaced: t.namespaced,
                kind: t.kind,
                verbs: ['get', 'patch', 'update'],
              },
            ]
          : []),
      ]),
    };
  };

  const discovery = (segments: string[]): JsonObject | undefined => {
    const [root, a, b] = segments;
    if (root === 'version' && segments.length === 1) {
      return { major: '1', minor: '34', gitVersion: 'v1.34.0-emulated', platform: 'linux/amd64' };
    }
    if (root === 'api' && segments.length === 1) {
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    }
    if (root === 'api' && segments.length === 2 && a === 'v1') return resourceList('', 'v1');
    if (root === 'apis' && segments.length === 1) {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups()].map(([g, v]) => groupDoc(g, v)),
      };
    }
    if (root === 'apis' && segments.length === 2) {
      const versions = groups().get(a!);
      return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(a!, versions) } : undefined;
    }
    if (root === 'apis' && segments.length === 3) return resourceList(a!, b!);
    return undefined;
  };

  const resolve = (segments: string[]): Target | undefined => {
    let prefix: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      prefix = 'v1';
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      prefix = `${segments[1]}/${segments[2]}`;
      rest = segments.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = byPath.get(`${prefix}/${rest[0]}`);
    if (!type || rest.length > 3 || (rest.length === 3 && rest[2] !== 'status')) return undefined;
    if (type.namespaced === false && namespace !== undefined) return undefined;
    if (rest.length === 3 && !type.status) return undefined;
    return { type, namespace, name: rest[1], subresource: rest.length === 3 ? 'status' : 'main' };
  };

  const requireNamespace = (target: Target): void => {
    if (!target.type.namespaced || !namespaceType) return;
    if (!store.exists(namespaceType, undefined, target.namespace!)) {
      throw new ApiError(404, 'NotFound', `namespaces "${target.namespace}" not found`, {
        name: target.namespace!,
        kind: 'namespaces',
      });
    }
  };

  const manager = (req: IncomingMessage, query: URLSearchParams): string =>
    query.get('fieldManager') ?? (req.headers['user-agent'] ?? 'unknown').split('/')[0]!;

  const parseBody = async (req: IncomingMessage): Promise<JsonObject> => {
    const text = await readBody(req);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let body: unknown;
    try {
      body =
        type === 'application/apply-patch+yaml' || type === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
      throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message}`);
    }
    if (!isObject(body as JsonObject))
      throw new ApiError(400, 'BadRequest', 'the body of the request must be an object');
    return body as JsonObject;
  };

  const watch = (req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void => {
    const selectors = {
      label: parseLabelSelector(query.get('labelSelector')),
      field: parseFieldSelector(query.get('fieldSelector')),
    };
    const write = (type: WatchEventType | 'BOOKMARK' | 'ERROR', object: JsonObject): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    let unsubscribe = (): void => {};
    try {
      unsubscribe = store.watch(
        target.type,
        {
          typeId: typeId(target.type),
          namespace: target.namespace,
          selector: (o) => selectors.label(o) && selectors.field(o),
          send: (type, object) => write(type, object),
        },
        query.get('resourceVersion') ?? undefined,
      );
    } catch (err) {
      // The real server reports an expired resourceVersion inside the stream, then ends it.
      if (err instanceof ApiError) write('ERROR', err.toStatus());
      res.end();
      return;
    }
    watches.add(res);
    const timers: NodeJS.Timeout[] = [];
    if (query.get('allowWatchBookmarks') === 'true') {
      timers.push(
        setInterval(() => {
          write('BOOKMARK', {
            kind: target.type.kind,
            apiVersion: apiVersionOf(target.type),
            metadata: { resourceVersion: store.resourceVersion },
          });
        }, bookmarkMs),
      );
    }
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
    const close = (): void => {
      for (const t of timers) clearTimeout(t);
      unsubscribe();
      watches.delete(res);
    };
    res.on('close', close);
    req.on('close', close);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    requests.set(`${method} ${url.pathname}`, (requests.get(`${method} ${url.pathname}`) ?? 0) + 1);
    if (method === 'GET') {
      const doc = discovery(segments);
      if (doc) return send(res, 200, doc);
    }
    const target = resolve(segments);
    if (!target) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const { type, namespace, name, subresource } = target;
    if (type.namespaced && namespace === undefined && name !== undefined) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (name === undefined) {
      if (method === 'GET' && query.get('watch') === 'true') return watch(req, res, target, query);
      if (method === 'GET') {
        const selector = parseLabelSelector(query.get('labelSelector'));
        const fields = parseFieldSelector(query.get('fieldSelector'));
        // Like the real server, built-in kinds' list items carry no kind/apiVersion (CRD items do).
        const items = store
          .list(type, namespace, (o) => selector(o) && fields(o))
          .map((o) => (BUILTIN_GROUPS.has(type.group) ? { ...o, kind: undefined, apiVersion: undefined } : o));
        // Pagination: `continue` is the offset into the (name-ordered) list, as an opaque token.
        const limit = Number(query.get('limit') ?? 0);
        const offset = Number(Buffer.from(query.get('continue') ?? '', 'base64url').toString() || 0);
        const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
        const more = limit > 0 && offset + limit < items.length;
        return send(res, 200, {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: {
            resourceVersion: store.resourceVersion,
            ...(more && {
              continue: Buffer.from(String(offset + limit)).toString('base64url'),
              remainingItemCount: items.length - offset - limit,
            }),
          },
          items: page,
        });
      }
      if (method === 'POST') {
        requireNamespace(target);
        return send(res, 201, store.create(type, namespace, await parseBody(req), manager(req, query)));
      }
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on a collection`);
    }
    switch (method) {
      case 'GET':
        return send(res, 200, store.get(type, namespace, name));
      case 'PUT':
        return send(
          res,
          200,
          store.update(type, namespace, name, await parseBody(req), subresource, manager(req, query)),
        );
      case 'DELETE':
        return send(res, 200, store.delete(type, namespace, name));
      case 'PATCH': {
        const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (contentType === 'application/json-patch+json') {
          const ops = JSON.parse(await readBody(req)) as JsonPatchOperation[];
          if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'a JSON patch must be a list of operations');
          const current = store.get(type, namespace, name);
          let patched: JsonObject;
          try {
            patched = jsonPatch(current, ops);
          } catch (err) {
            throw new ApiError(422, 'Invalid', `the JSON patch could not be applied: ${(err as Error).message}`);
          }
          return send(res, 200, store.update(type, namespace, name, patched, subresource, manager(req, query)));
        }
        const body = await parseBody(req);
        if (contentType === 'application/apply-patch+yaml') {
          const fieldManager = query.get('fieldManager');
          if (!fieldManager)
            throw new ApiError(400, 'BadRequest', 'PATCH requests with apply content type require fieldManager');
          requireNamespace(target);
          const existed = store.exists(type, namespace, name);
          const result = store.apply(
            type,
            namespace,
            name,
            body,
            subresource,
            fieldManager,
            query.get('force') === 'true',
          );
          return send(res, existed ? 200 : 201, result);
        }
        if (query.get('force') !== null)
          throw new ApiError(400, 'BadRequest', 'force is only allowed for apply patches');
        if (
          contentType === 'application/merge-patch+json' ||
          contentType === 'application/strategic-merge-patch+json'
        ) {
          return send(res, 200, store.patch(type, namespace, name, body, subresource, manager(req, query)));
        }
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`,
        );
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported`);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const error = err instanceof ApiError ? err : new ApiError(400, 'BadRequest', (err as Error).message);
      send(res, error.code, error.toStatus());
    });
  });
  const url = `http://127.0.0.1:${await listenOnFreePort(server)}`;
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: emulator`,
    `  cluster: { server: '${url}', insecure-skip-tls-verify: true }`,
    'users:',
    '- name: emulator',
    "  user: { token: 'emulator' }",
    'contexts:',
    '- name: emulator',
    '  context: { cluster: emulator, user: emulator, namespace: default }',
    'current-context: emulator',
    '',
  ].join('\n');

  return {
    url,
    kubeconfig,
    store,
    requests,
    compact: () => store.compact(),
    closeWatches: () => {
      for (const res of watches) res.end();
      watches.clear();
    },
    stop: async () => {
      for (const res of watches) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
