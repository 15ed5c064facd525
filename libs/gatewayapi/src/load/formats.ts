import { isIP } from 'node:net';
import { integer, string, type Decoder, type Path, type Problems } from './decode.ts';

/** Field formats of the Gateway API and Envoy Gateway CRD schemas. */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Route and listener hostnames: lower case, a wildcard only as the whole first label, no port. */
export const hostname = string({
  min: 1,
  max: 253,
  pattern: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  format: 'a lower-case hostname, optionally with a leading "*." wildcard label',
});

/** Backend FQDNs: as hostnames, without a wildcard. */
export const preciseHostname = string({ min: 1, max: 253, pattern: DNS_SUBDOMAIN, format: 'a lower-case hostname' });

/** Listener, section and rule names. */
export const sectionName = string({
  min: 1,
  max: 253,
  pattern: DNS_SUBDOMAIN,
  format: 'lower-case alphanumerics, "-" and "." (RFC 1123 subdomain)',
});

export const objectName = string({
  min: 1,
  max: 253,
  pattern: DNS_SUBDOMAIN,
  format: 'lower-case alphanumerics, "-" and "." (RFC 1123 subdomain)',
});

export const namespaceName = string({
  min: 1,
  max: 63,
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  format: 'lower-case alphanumerics and "-" (RFC 1123 label)',
});

export const group = string({
  max: 253,
  pattern: /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  format: 'an API group ("" for the core group)',
});

export const kind = string({
  min: 1,
  max: 63,
  pattern: /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/,
  format: 'a kind (letters, digits and "-", starting with a letter)',
});

export const controllerName = string({
  min: 1,
  max: 253,
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/,
  format: 'a domain-prefixed path such as example.com/controller',
});

export const listenerProtocol = string({
  min: 1,
  max: 255,
  pattern:
    /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/,
  format: 'a protocol name such as HTTP, or a domain-prefixed name',
});

export const headerName = string({
  min: 1,
  max: 256,
  pattern: /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/,
  format: 'a valid HTTP header name',
});

/** Gateway API port numbers. */
export const port = integer(1, 65535);

export const ipAddress: Decoder<string> = (value, path, problems) => {
  const text = string({ min: 1 })(value, path, problems);
  if (text !== '' && isIP(text) === 0) problems.add(path, 'must be an IPv4 or IPv6 address');
  return text;
};

const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** The CEL rules on Exact and PathPrefix path values: an absolute, normalised path. */
export function checkPathValue(value: string, path: Path, problems: Problems): void {
  if (!value.startsWith('/')) problems.add(path, 'must be an absolute path');
  else if (/\/\/|\/\.\/|\/\.\.\/|%2f|%2F|#/.test(value)) {
    problems.add(path, 'must not contain "//", "/./", "/../", "%2f", "%2F" or "#"');
  } else if (value.endsWith('/..') || value.endsWith('/.')) problems.add(path, 'must not end with "/.." or "/."');
  else if (!PATH_CHARS.test(value)) problems.add(path, 'must only contain valid path characters');
}

/** Gateway API durations: 1-4 groups of up to 5 digits with a unit, e.g. `1h30m`, `500ms`. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** A Gateway API duration in milliseconds. */
export function duration(value: unknown, path: Path, problems: Problems): number {
  const text = string({ pattern: DURATION, format: 'a duration such as 10s, 500ms or 1h30m' })(value, path, problems);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) ms += Number(amount) * (UNIT_MS[unit!] ?? 0);
  return ms;
}
