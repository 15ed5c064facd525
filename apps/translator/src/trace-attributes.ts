import type { Resource, TranslateResult } from '@eg/gatewayapi';
import type { Attributes } from '@eg/telemetry';

/** How many resources of each kind a translation read, as span attributes (`eg.input.HTTPRoute`: 12). */
export function inputCounts(input: readonly Resource[]): Attributes {
  const counts: Record<string, number> = { 'eg.input.total': input.length };
  for (const r of input) counts[`eg.input.${r.kind}`] = (counts[`eg.input.${r.kind}`] ?? 0) + 1;
  return counts;
}

export function outputCounts(result: TranslateResult): Attributes {
  return {
    'eg.output.xds_ir': result.xds.size,
    'eg.output.infra_ir': result.infra.size,
    'eg.output.ratelimit_ir': result.rateLimit.size,
    'eg.output.statuses': result.statuses.length,
  };
}
