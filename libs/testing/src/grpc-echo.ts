import { request } from 'node:http';
import { connect, constants } from 'node:http2';
import {
  Client,
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import type { CertificatePair } from './certificates.ts';

/**
 * A gRPC echo backend for gateway tests: every method of the services it serves answers who served the call,
 * the full method path and the metadata it received. Messages are JSON (a custom codec instead of protobuf),
 * which gRPC and Envoy carry as opaque bytes all the same.
 */
export interface GrpcEchoReply {
  /** The server's name, to tell backends apart. */
  readonly server: string;
  /** `/<service>/<method>` as received. */
  readonly path: string;
  /** Request metadata (headers) the backend saw, first value of each. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface GrpcEchoServer {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const decode = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8')) as unknown;

/** Serves `services` (full service name -> method names) on a free loopback port; over TLS with `tls`. */
export async function startGrpcEcho(
  name: string,
  services: Readonly<Record<string, readonly string[]>>,
  tls?: CertificatePair,
): Promise<GrpcEchoServer> {
  const server = new Server();
  for (const [service, methods] of Object.entries(services)) {
    const definition: ServiceDefinition = Object.fromEntries(
      methods.map((method) => [
        method,
        {
          path: `/${service}/${method}`,
          requestStream: false,
          responseStream: false,
          requestSerialize: encode,
          requestDeserialize: decode,
          responseSerialize: encode,
          responseDeserialize: decode,
        },
      ]),
    );
    const echo = (call: ServerUnaryCall<unknown, GrpcEchoReply>, callback: sendUnaryData<GrpcEchoReply>): void => {
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      callback(null, { server: name, path: call.getPath(), metadata });
    };
    server.addService(definition, Object.fromEntries(methods.map((method) => [method, echo])));
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials(tls), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    name,
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

function serverCredentials(tls: CertificatePair | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }]);
}

/** The outcome of one call: gRPC status code 0 with the reply, or another code with its details. */
export interface GrpcCallResult {
  readonly code: number;
  readonly details: string;
  readonly reply?: GrpcEchoReply;
}

export interface GrpcCallOptions {
  /** The `:authority` (Host) to send; the target's address when absent. */
  readonly authority?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Calls unary methods of echo backends (directly or through a gateway) over HTTP/2, plaintext or TLS. */
export class GrpcEchoClient {
  private readonly target: string;
  /** PEM of the CA that signed the server certificate: TLS, with the authority as server name. */
  private readonly ca: string | undefined;
  /** One channel per authority, as grpc-js fixes the authority per channel. */
  private readonly clients = new Map<string, Client>();

  constructor(target: string, opts: { readonly ca?: string } = {}) {
    this.target = target;
    this.ca = opts.ca;
  }

  call(path: string, opts: GrpcCallOptions = {}): Promise<GrpcCallResult> {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(opts.metadata ?? {})) metadata.set(key, value);
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    return new Promise((resolve) => {
      this.client(opts.authority).makeUnaryRequest<unknown, GrpcEchoReply>(
        path,
        encode,
        (bytes) => decode(bytes) as GrpcEchoReply,
        {},
        metadata,
        { deadline },
        (err: ServiceError | null, reply?: GrpcEchoReply) =>
          resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '', ...(reply && { reply }) }),
      );
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(authority: string | undefined): Client {
    const key = authority ?? '';
    let client = this.clients.get(key);
    if (!client) {
      const options =
        authority !== undefined
          ? { 'grpc.default_authority': authority, 'grpc.ssl_target_name_override': authority }
          : {};
      const channelCredentials =
        this.ca !== undefined ? credentials.createSsl(Buffer.from(this.ca)) : credentials.createInsecure();
      client = new Client(this.target, channelCredentials, options);
      this.clients.set(key, client);
    }
    return client;
  }
}

/** What a gRPC-Web call answered: the HTTP status, the messages and the trailers (`grpc-status` among them). */
export interface GrpcWebAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly messages: readonly unknown[];
  readonly trailers: Readonly<Record<string, string>>;
}

export interface GrpcWebOptions {
  /**
   * `application/grpc-web-text` (base64 frames) over HTTP/2 with prior knowledge, as some clients send it;
   * otherwise `application/grpc-web+proto` over HTTP/1.1, as browsers do.
   */
  readonly text?: boolean;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/**
 * One gRPC-Web call: a POST of a length-prefixed message; the answer carries the messages and then a trailer
 * frame in its body.
 */
export async function grpcWebCall(
  url: string,
  host: string,
  message: unknown,
  opts: GrpcWebOptions = {},
): Promise<GrpcWebAnswer> {
  const payload = encode(message);
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  const raw = opts.text
    ? await postHttp2(url, host, 'application/grpc-web-text', Buffer.from(frame.toString('base64')))
    : await postHttp1(url, host, 'application/grpc-web+proto', frame);
  const { messages, trailers } = grpcWebFrames(opts.text ? fromBase64Chunks(raw.body.toString('ascii')) : raw.body);
  // A trailers-only answer (an error before any message) comes as HTTP headers instead.
  for (const key of ['grpc-status', 'grpc-message']) {
    const value = raw.headers[key];
    if (typeof value === 'string' && !(key in trailers)) trailers[key] = value;
  }
  return { status: raw.status, contentType: String(raw.headers['content-type'] ?? ''), messages, trailers };
}

/** Envoy answers in the form the client accepts. */
const grpcWebHeaders = (contentType: string) => ({
  'content-type': contentType,
  accept: contentType,
  'x-grpc-web': '1',
});

function postHttp1(url: string, host: string, contentType: string, body: Buffer): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { host, ...grpcWebHeaders(contentType) },
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`gRPC-Web call to ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function postHttp2(url: string, host: string, contentType: string, body: Buffer): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const session = connect(target.origin);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': target.pathname,
      ':authority': host,
      ...grpcWebHeaders(contentType),
    });
    stream.setTimeout(5000, () => stream.close(constants.NGHTTP2_CANCEL));
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      headers = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({ status, headers, body: Buffer.concat(chunks) });
    });
    stream.on('error', (err) => {
      session.close();
      reject(err);
    });
    stream.end(body);
  });
}

/** grpc-web-text bodies may be several base64 runs, each padded on its own. */
function fromBase64Chunks(text: string): Buffer {
  return Buffer.concat((text.match(/[^=]+={0,2}/g) ?? []).map((run) => Buffer.from(run, 'base64')));
}

/** Splits a gRPC-Web body into messages (flag 0x00) and the trailer frame (flag 0x80, `name:value` lines). */
function grpcWebFrames(body: Buffer): { messages: unknown[]; trailers: Record<string, string> } {
  const messages: unknown[] = [];
  const trailers: Record<string, string> = {};
  let offset = 0;
  while (offset + 5 <= body.length) {
    const flag = body[offset] ?? 0;
    const length = body.readUInt32BE(offset + 1);
    const data = body.subarray(offset + 5, offset + 5 + length);
    offset += 5 + length;
    if ((flag & 0x80) === 0) {
      messages.push(decode(data));
      continue;
    }
    for (const line of data.toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { messages, trailers };
}
