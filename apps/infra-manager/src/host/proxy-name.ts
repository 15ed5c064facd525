import { createHash } from 'node:crypto';

/**
 * The fleet name for an IR key, as Envoy Gateway hashes it: `<ns>-<name>` cut to fit, plus the first
 * 8 hex digits of sha256(key), so distinct keys never collide after truncation.
 */
export function hashedProxyName(irKey: string, maxLength = 64): string {
  const hash = createHash('sha256').update(irKey).digest('hex').slice(0, 8);
  const readable = irKey.replaceAll('/', '-');
  return `${readable.slice(0, maxLength - 9)}-${hash}`;
}
