import { createClient, ErrorReply } from 'redis';

/** Redis cannot be reached (not connected yet, connection lost, or reconnecting): the command was not sent. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** Redis did not answer within the command timeout. */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

/** Redis refused a command (e.g. INCRBY on a key that does not hold a number). */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
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
  /** How long a pipeline (and a connection attempt) may take; default 1 s. */
  readonly commandTimeoutMs?: number;
  /** First reconnect delay, doubled after each failed attempt up to `maxBackoffMs`; defaults 100 ms and 2 s. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told when the connection comes up or goes down, for logs. */
  readonly onStateChange?: (connected: boolean, cause?: Error) => void;
}

/**
 * node-redis, set up for a rate limiter: commands are never queued while disconnected (they fail at once with
 * RedisUnavailableError, so a caller that fails open answers without delay), reconnects back off
 * exponentially, and every pipeline has a deadline.
 */
export class RedisClient {
  private readonly client;
  private readonly address: string;
  private readonly commandTimeoutMs: number;
  private readonly firstConnect: Promise<void>;
  private connected = false;
  private lastError: Error | undefined;

  constructor(opts: RedisClientOptions) {
    this.address = `${opts.host}:${opts.port}`;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 1000;
    const initialBackoffMs = opts.initialBackoffMs ?? 100;
    const maxBackoffMs = opts.maxBackoffMs ?? 2000;
    this.client = createClient({
      socket: {
        host: opts.host,
        port: opts.port,
        connectTimeout: this.commandTimeoutMs,
        reconnectStrategy: (retries: number) => Math.min(initialBackoffMs * 2 ** retries, maxBackoffMs),
      },
      disableOfflineQueue: true,
    });
    const setState = (connected: boolean) => {
      if (connected === this.connected) return;
      this.connected = connected;
      opts.onStateChange?.(connected, connected ? undefined : this.lastError);
    };
    // Without an 'error' listener node-redis's errors would end the process; each one is also a lost connection.
    this.client.on('error', (err: Error) => {
      this.lastError = err;
      setState(false);
    });
    this.client.on('ready', () => setState(true));
    this.client.on('end', () => setState(false));
    this.firstConnect = new Promise((resolve) => this.client.once('ready', () => resolve()));
    // Retries until Redis answers (or close()); failures arrive as 'error' events meanwhile.
    this.client.connect().catch(() => undefined);
  }

  get isConnected(): boolean {
    return this.client.isReady;
  }

  /** Resolves once connected (now or later); rejects after `timeoutMs`. */
  async waitConnected(timeoutMs: number): Promise<void> {
    await deadline(
      this.firstConnect,
      timeoutMs,
      () => new RedisUnavailableError(`no connection to ${this.address} within ${timeoutMs} ms`),
    );
  }

  /**
   * Sends the commands in one write without waiting for earlier replies and resolves with their replies in order;
   * rejects with RedisReplyError when Redis refuses one of them.
   */
  async pipeline(commands: readonly (readonly string[])[]): Promise<unknown[]> {
    if (!this.client.isReady) throw new RedisUnavailableError(`not connected to Redis at ${this.address}`);
    const multi = this.client.multi();
    for (const command of commands) multi.addCommand([...command]);
    try {
      return await deadline(
        multi.execAsPipeline(),
        this.commandTimeoutMs,
        () => new RedisTimeoutError(`Redis at ${this.address} did not answer within ${this.commandTimeoutMs} ms`),
      );
    } catch (err) {
      if (err instanceof ErrorReply) throw new RedisReplyError(err.message, { cause: err });
      if (err instanceof RedisTimeoutError) throw err;
      throw new RedisUnavailableError(`lost Redis at ${this.address}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.client.isOpen) this.client.destroy();
  }
}

/** `promise`, or the error `timeout()` makes once `ms` have passed. */
async function deadline<T>(promise: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(timeout()), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
