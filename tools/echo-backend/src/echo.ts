import type { IncomingMessage } from 'node:http';

/** Identity the backend reports, like the conformance echo server's pod/namespace/service fields. */
export interface EchoIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
}

/** The JSON body the echo backend answers with; same shape as the Gateway API conformance echo server. */
export interface EchoResponse {
  readonly path: string;
  readonly host: string;
  readonly method: string;
  readonly proto: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly httpPort: string;
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  readonly pod: string;
}

/** Go's canonical header form (`x-foo-bar` -> `X-Foo-Bar`), which conformance clients expect. */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

export function describeRequest(req: IncomingMessage, identity: EchoIdentity, port: number): EchoResponse {
  const headers: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonicalHeaderName(raw[i]!);
    if (name === 'Host') continue;
    (headers[name] ??= []).push(raw[i + 1]!);
  }
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
  return {
    path: req.url ?? '/',
    host: req.headers.host ?? '',
    method: req.method ?? 'GET',
    proto: `HTTP/${req.httpVersion}`,
    headers,
    query,
    httpPort: String(port),
    namespace: identity.namespace,
    ingress: '',
    service: identity.service,
    pod: identity.name,
  };
}

/** Headers the client asked the backend to set, from `X-Echo-Set-Header: Name1:val1,Name2:val2`. */
export function requestedResponseHeaders(req: IncomingMessage): Array<[string, string]> {
  const spec = req.headers['x-echo-set-header'];
  const text = Array.isArray(spec) ? spec.join(',') : spec;
  if (!text) return [];
  const out: Array<[string, string]> = [];
  for (const item of text.split(',')) {
    const colon = item.indexOf(':');
    if (colon <= 0) continue;
    out.push([item.slice(0, colon).trim(), item.slice(colon + 1).trim()]);
  }
  return out;
}

/** `?delay=1s` / `?delay=500ms`: how long to wait before answering (to exercise gateway timeouts). */
export function requestedDelayMs(path: string): number {
  return parseDelayMs(new URL(path, 'http://placeholder').searchParams.get('delay'));
}

/** `1s` / `500ms` in milliseconds; 0 for anything else. */
export function parseDelayMs(delay: string | null): number {
  const match = delay === null ? null : /^(\d+)(ms|s)$/.exec(delay);
  if (!match) return 0;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}
