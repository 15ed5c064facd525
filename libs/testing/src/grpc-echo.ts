import { request } from 'node:http';
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

/** Serves `services` (full service name -> method names) on a free loopback port. */
export async function startGrpcEcho(
  name: string,
  services: Readonly<Record<string, readonly string[]>>,
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
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    name,
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
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

/** Calls unary methods of echo backends (directly or through a gateway) over plaintext HTTP/2. */
export class GrpcEchoClient {
  private readonly target: string;
  /** One channel per authority, as grpc-js fixes the authority per channel. */
  private readonly clients = new Map<string, Client>();

  constructor(target: string) {
    this.target = target;
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
      const options = authority !== undefined ? { 'grpc.default_authority': authority } : {};
      client = new Client(this.target, credentials.createInsecure(), options);
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

/**
 * One gRPC-Web call as a browser makes it: an HTTP/1.1 POST of a length-prefixed message with content type
 * `application/grpc-web+proto`; the answer carries messages and then a trailer frame in the body.
 */
export function grpcWebCall(url: string, host: string, message: unknown): Promise<GrpcWebAnswer> {
  const target = new URL(url);
  const payload = encode(message);
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { host, 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1', accept: '*/*' },
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const { messages, trailers } = grpcWebFrames(Buffer.concat(chunks));
          // A trailers-only answer (an error before any message) comes as HTTP headers instead.
          for (const key of ['grpc-status', 'grpc-message']) {
            const value = res.headers[key];
            if (typeof value === 'string' && !(key in trailers)) trailers[key] = value;
          }
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', messages, trailers });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`gRPC-Web call to ${url} timed out`)));
    req.on('error', reject);
    req.end(frame);
  });
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
