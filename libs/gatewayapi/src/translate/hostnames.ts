/** Hostname intersection between a route and a listener (Gateway API hostname matching). */

/** Whether `hostname` (which may itself be a wildcard) falls under `wildcard` (`*.example.com`). */
function underWildcard(hostname: string, wildcard: string): boolean {
  return wildcard.startsWith('*.') && hostname.endsWith(wildcard.slice(1));
}

/**
 * The hostnames a route serves on a listener: the most specific of each intersecting pair; `*` when neither
 * names any. Empty when they do not intersect.
 */
export function intersectHostnames(routeHostnames: readonly string[], listenerHostname?: string): string[] {
  if (listenerHostname === undefined) return routeHostnames.length > 0 ? unique(routeHostnames) : ['*'];
  if (routeHostnames.length === 0) return [listenerHostname];
  const hosts: string[] = [];
  for (const host of routeHostnames) {
    if (host === listenerHostname || underWildcard(host, listenerHostname)) hosts.push(host);
    else if (underWildcard(listenerHostname, host)) hosts.push(listenerHostname);
  }
  return unique(hosts);
}

function unique(hosts: readonly string[]): string[] {
  return [...new Set(hosts)];
}

/** The IR name suffix of a hostname: dots become underscores (`www_example_com`, `*`). */
export function hostnameSuffix(hostname: string): string {
  return hostname.replaceAll('.', '_');
}

/**
 * Orders virtual hosts from the most to the least specific: exact names before wildcards, longer names first,
 * `*` last, then by text so the order is total.
 */
export function compareHostnames(a: string, b: string): number {
  const wa = a.startsWith('*');
  const wb = b.startsWith('*');
  if (wa !== wb) return wa ? 1 : -1;
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
