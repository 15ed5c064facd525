import type { Gateway } from '../resources.ts';
import type { TranslateOptions } from './listeners.ts';

export interface StatusAddress {
  readonly type: 'IPAddress' | 'Hostname';
  readonly value: string;
}

const SUPPORTED_TYPES: readonly string[] = ['IPAddress', 'Hostname'];

/** Why the Gateway's requested addresses cannot be honoured (Accepted=False/UnsupportedAddress), if they cannot. */
export function unsupportedAddress(gateway: Gateway): string | undefined {
  const types = [...new Set(gateway.spec.addresses.map((a) => a.type).filter((t) => !SUPPORTED_TYPES.includes(t)))];
  if (types.length === 0) return undefined;
  return `Address type ${types.join(', ')} is not supported, only IPAddress and Hostname are`;
}

/**
 * `status.addresses` on the host (standalone), where Envoy binds every listener on all interfaces: the
 * requested addresses, or the loopback address when none is requested; none while the Gateway is not accepted. In Kubernetes the infra side fills
 * them from the Envoy Service, so the translator writes none.
 */
export function hostStatusAddresses(gateway: Gateway, options: TranslateOptions): StatusAddress[] | undefined {
  if (!options.runningOnHost || unsupportedAddress(gateway)) return undefined;
  const requested: StatusAddress[] = [];
  for (const { type, value } of gateway.spec.addresses) {
    if ((type === 'IPAddress' || type === 'Hostname') && value !== undefined) requested.push({ type, value });
  }
  return requested.length > 0 ? requested : [{ type: 'IPAddress', value: '127.0.0.1' }];
}
