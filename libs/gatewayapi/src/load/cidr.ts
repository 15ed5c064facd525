import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedCIDR {
  /** The network with host bits cleared, e.g. `10.0.0.0/8` for `10.1.2.3/8`. */
  readonly cidr: string;
  readonly maskLen: number;
  readonly isIPv6: boolean;
}

/**
 * Parses `address/prefix`. The network is normalised the way Envoy's masked_remote_address action writes the
 * client's masked address, so the two compare equal.
 */
export function parseCIDR(text: string): ParsedCIDR | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return undefined;
  const maskLen = Number(prefix);
  if (isIPv4(address)) {
    if (maskLen > 32) return undefined;
    const value = address.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n);
    const network = mask(value, maskLen, 32);
    const parts = [24n, 16n, 8n, 0n].map((shift) => String((network >> shift) & 255n));
    return { cidr: `${parts.join('.')}/${maskLen}`, maskLen, isIPv6: false };
  }
  if (isIPv6(address) && !address.includes('.')) {
    if (maskLen > 128) return undefined;
    const network = mask(ipv6Value(address), maskLen, 128);
    return { cidr: `${formatIPv6(network)}/${maskLen}`, maskLen, isIPv6: true };
  }
  return undefined;
}

function mask(value: bigint, maskLen: number, bits: number): bigint {
  const hostBits = BigInt(bits - maskLen);
  return (value >> hostBits) << hostBits;
}

function ipv6Value(address: string): bigint {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups (if two or more) as `::`. */
function formatIPv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
