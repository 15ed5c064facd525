import { DEFAULT_RATE_LIMIT_SERVICE, type RateLimitAddress, type RateLimitServiceOptions } from '@eg/xds';
import { XdsServerConfigError } from './errors.ts';

/**
 * `grpc://host:port` (Envoy Gateway's form) or `host:port`; Envoy Gateway's Service on 8081 when absent. A
 * comma-separated list names several replicas directly (standalone mode, where there is no Service).
 */
export function parseRateLimitService(
  url: string | undefined,
  failClosed: boolean,
  timeoutMs?: string,
): RateLimitServiceOptions {
  const timeout = timeoutMs === undefined ? {} : { timeoutMs: parseTimeout(timeoutMs) };
  if (url === undefined) return { ...DEFAULT_RATE_LIMIT_SERVICE, failClosed, ...timeout };
  const [first, ...rest] = url.split(',').map((u) => parseAddress(u.trim(), url));
  return { addresses: [first!, ...rest], failClosed, ...timeout };
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new XdsServerConfigError(`--ratelimit-timeout-ms ${JSON.stringify(text)} must be a positive whole number`);
  }
  return ms;
}

function parseAddress(url: string, whole: string): RateLimitAddress {
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `grpc://${url}`);
  } catch (err) {
    throw new XdsServerConfigError(`--ratelimit-url ${JSON.stringify(whole)} is not a URL`, { cause: err });
  }
  if (parsed.protocol !== 'grpc:' || parsed.hostname === '') {
    throw new XdsServerConfigError(`--ratelimit-url ${JSON.stringify(whole)} must look like grpc://host:port`);
  }
  // IPv6 literals come back bracketed.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const defaultPort = DEFAULT_RATE_LIMIT_SERVICE.addresses[0].port;
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}
