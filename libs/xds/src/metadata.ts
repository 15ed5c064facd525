import type { SourceMetadata } from '@eg/ir';
import type { ProtoJson } from './encode.ts';

/** `filterMetadata["envoy-gateway"].resources`: points Envoy config back at the Gateway API objects (as Envoy Gateway does). */
export function sourceMetadata(source: SourceMetadata): ProtoJson {
  const { kind, name, namespace, sectionName } = source;
  const resource = { kind, name, namespace, ...(sectionName !== undefined && { sectionName }) };
  return { filterMetadata: { 'envoy-gateway': { resources: [resource] } } };
}
