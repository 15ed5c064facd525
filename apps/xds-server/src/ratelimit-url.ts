import { DEFAULT_RATE_LIMIT_SERVICE, type RateLimitServiceOptions } from '@eg/xds';
import { XdsServerConfigError } from './errors.ts';

/** `grpc://host:port` (Envoy Gateway's form) or `host:port`; Envoy Gateway's Service on 8081 when absent. */
export function parseRateLimitService(url: string | undefined, failClosed: boolean): RateLimitServiceOptions {
  if (url === undefined) return { ...DEFAULT_RATE_LIMIT_SERVICE, failClosed };
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `grpc://${url}`);
  } catch (err) {
    throw new XdsServerConfigError(`--ratelimit-url ${JSON.stringify(url)} is not a URL`, { cause: err });
  }
  if (parsed.protocol !== 'grpc:' || parsed.hostname === '') {
    throw new XdsServerConfigError(`--ratelimit-url ${JSON.stringify(url)} must look like grpc://host:port`);
  }
  // IPv6 literals come back bracketed.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port === '' ? DEFAULT_RATE_LIMIT_SERVICE.port : Number(parsed.port), failClosed };
}
