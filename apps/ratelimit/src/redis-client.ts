import { connect, type Socket } from 'node:net';
import { encodeCommand, RespDecoder, type RespReply } from './resp.ts';

/** Redis cannot be reached (not connected yet, connection lost, or reconnecting): the command was not sent. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** Redis did not answer within the command timeout; the connection is dropped and made again. */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

/** A `--redis-url` this client cannot use. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** `redis://host[:port]` (Envoy Gateway's `rateLimit.backend.redis.url`), or `host:port`; port 6379 by default. */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `redis://${url}`);
  } catch (err) {
    throw new RedisUrlError(`--redis-url ${JSON.stringify(url)} is not a URL`, { cause: err });
  }
  if (parsed.protocol !== 'redis:' || parsed.hostname === '') {
    throw new RedisUrlError(`--redis-url ${JSON.stringify(url)} must look like redis://host:port`);
  }
  if (parsed.username !== '' || parsed.password !== '' || (parsed.pathname !== '' && parsed.pathname !== '/')) {
    throw new RedisUrlError(`--redis-url ${JSON.stringify(url)}: credentials and database numbers are not supported`);
  }
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port === '' ? 6379 : Number(parsed.port) };
}

export interface RedisClientOptions extends RedisAddress {
  /** How long a pipeline may wait for its replies; default 1 s. */
  readonly commandTimeoutMs?: number;
  /** First reconnect delay, doubled after each failed attempt up to `maxBackoffMs`; defaults 100 ms and 2 s. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told when the connection comes up or goes down, for logs. */
  readonly onStateChange?: (connected: boolean, cause?: Error) => void;
}

interface PendingPipeline {
  readonly replies: RespReply[];
  readonly expected: number;
  readonly resolve: (replies: RespReply[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One pipelined connection to Redis. Commands are never queued while disconnected: they fail at once with
 * RedisUnavailableError so a caller that fails open answers without delay; the client reconnects with backoff.
 */
export class RedisClient {
  private readonly opts: RedisClientOptions;
  private readonly commandTimeoutMs: number;
  private socket: Socket | undefined;
  private connected = false;
  private closed = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private decoder = new RespDecoder();
  /** Pipelines waiting for replies, in the order they were written (Redis answers in order). */
  private readonly pending: PendingPipeline[] = [];
  /** Commands of this event-loop turn not written yet: one write carries every pipeline of the turn. */
  private outgoing: string[] = [];
  private flushScheduled = false;
  private readonly firstConnect: Promise<void>;
  private resolveFirstConnect!: () => void;

  constructor(opts: RedisClientOptions) {
    this.opts = opts;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 1000;
    this.backoffMs = opts.initialBackoffMs ?? 100;
    this.firstConnect = new Promise((resolve) => (this.resolveFirstConnect = resolve));
    this.open();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Resolves once connected (now or later); rejects after `timeoutMs`. */
  async waitConnected(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new RedisUnavailableError(`no connection to ${this.address} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.firstConnect, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends the commands without waiting for earlier replies and resolves with their replies in order (error
   * replies included). Pipelines started in the same event-loop turn share one socket write.
   */
  pipeline(commands: readonly (readonly string[])[]): Promise<RespReply[]> {
    if (!this.connected || !this.socket) {
      return Promise.reject(new RedisUnavailableError(`not connected to Redis at ${this.address}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Replies match commands only by order, so a late reply would be taken for the next pipeline's.
        this.drop(new RedisTimeoutError(`Redis at ${this.address} did not answer within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      this.pending.push({ replies: [], expected: commands.length, resolve, reject, timer });
      for (const command of commands) this.outgoing.push(encodeCommand(command));
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const data = this.outgoing.join('');
    this.outgoing = [];
    // Dropped meanwhile: its pipelines were already failed.
    if (data !== '' && this.connected) this.socket?.write(data);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.drop(new RedisUnavailableError('Redis client closed'));
  }

  private get address(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  private open(): void {
    const socket = connect({ host: this.opts.host, port: this.opts.port });
    this.socket = socket;
    this.decoder = new RespDecoder();
    socket.setNoDelay(true);
    // A connect that hangs (a black-holed address) counts as a failure too.
    socket.setTimeout(this.commandTimeoutMs, () => {
      if (!this.connected) socket.destroy(new RedisTimeoutError(`no connection to ${this.address}`));
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.backoffMs = this.opts.initialBackoffMs ?? 100;
      this.resolveFirstConnect();
      this.opts.onStateChange?.(true);
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    let failure: Error | undefined;
    socket.on('error', (err) => (failure = err)); // 'close' follows and acts on it
    socket.once('close', () => {
      if (this.socket !== socket) return;
      this.drop(new RedisUnavailableError(`connection to Redis at ${this.address} closed`, { cause: failure }));
      this.scheduleReconnect();
    });
  }

  private receive(chunk: Buffer): void {
    let replies: RespReply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (err) {
      this.drop(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const reply of replies) {
      const head = this.pending[0];
      if (!head) {
        this.drop(new RedisUnavailableError(`Redis at ${this.address} sent a reply nobody asked for`));
        return;
      }
      head.replies.push(reply);
      if (head.replies.length === head.expected) {
        this.pending.shift();
        clearTimeout(head.timer);
        head.resolve(head.replies);
      }
    }
  }

  /** Fails every waiting pipeline and closes the socket; the 'close' handler reconnects unless closed. */
  private drop(cause: Error): void {
    if (this.connected && !this.closed) this.opts.onStateChange?.(false, cause);
    this.connected = false;
    this.outgoing = [];
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(cause);
    }
    const socket = this.socket;
    if (this.closed) this.socket = undefined;
    socket?.destroy();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 2000);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
