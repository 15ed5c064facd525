import type { HTTPRouteFilterResource, ServiceImport } from '../resources.ts';
import {
  defaulted,
  field,
  integer,
  isAbsent,
  list,
  object,
  oneOf,
  optional,
  string,
  type Fields,
  type Path,
  type Problems,
} from './decode.ts';
import { headerName } from './formats.ts';
import { headerValue } from './http-filters.ts';
import { objectMeta } from './metadata.ts';
import { servicePort } from './core.ts';

/** multicluster.x-k8s.io ServiceImport: only its ports matter here; endpoints come from EndpointSlices. */
export function decodeServiceImport(doc: Fields, problems: Problems): ServiceImport {
  const spec = object(doc['spec'], ['spec'], problems);
  return {
    kind: 'ServiceImport',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: { ports: defaulted(spec, 'ports', list(servicePort), [], ['spec'], problems) },
  };
}

const TRANSLATED_FILTER_FIELDS = ['urlRewrite', 'directResponse'];

/** Envoy Gateway's HTTPRouteFilter (gateway.envoyproxy.io/v1alpha1). */
export function decodeHTTPRouteFilter(doc: Fields, problems: Problems): HTTPRouteFilterResource {
  const spec = object(doc['spec'], ['spec'], problems);
  const urlRewrite = optional(spec, 'urlRewrite', extensionURLRewrite, ['spec'], problems);
  const directResponse = optional(spec, 'directResponse', extensionDirectResponse, ['spec'], problems);
  return {
    kind: 'HTTPRouteFilter',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: {
      ...(urlRewrite !== undefined && { urlRewrite }),
      ...(directResponse !== undefined && { directResponse }),
      unimplementedFields: Object.keys(spec)
        .filter((k) => !TRANSLATED_FILTER_FIELDS.includes(k) && !isAbsent(spec[k]))
        .sort(),
    },
  };
}

type ExtensionURLRewrite = NonNullable<HTTPRouteFilterResource['spec']['urlRewrite']>;

function extensionURLRewrite(value: unknown, path: Path, problems: Problems): ExtensionURLRewrite {
  const fields = object(value, path, problems);
  const hostname = optional(fields, 'hostname', rewriteHostname, path, problems);
  const rewritePath = optional(fields, 'path', regexPathRewrite, path, problems);
  return { ...(hostname !== undefined && { hostname }), ...(rewritePath !== undefined && { path: rewritePath }) };
}

function rewriteHostname(value: unknown, path: Path, problems: Problems): NonNullable<ExtensionURLRewrite['hostname']> {
  const fields = object(value, path, problems);
  const type = field(fields, 'type', oneOf(['Header', 'Backend']), path, problems);
  if (type === 'Backend') return { type };
  return { type, header: field(fields, 'header', headerName, path, problems) };
}

function regexPathRewrite(value: unknown, path: Path, problems: Problems): NonNullable<ExtensionURLRewrite['path']> {
  const fields = object(value, path, problems);
  field(fields, 'type', oneOf(['ReplaceRegexMatch']), path, problems);
  const replace = field(fields, 'replaceRegexMatch', object, path, problems);
  const at = [...path, 'replaceRegexMatch'];
  return {
    pattern: field(replace, 'pattern', string({ min: 1 }), at, problems),
    substitution: field(replace, 'substitution', string(), at, problems),
  };
}

type ExtensionDirectResponse = NonNullable<HTTPRouteFilterResource['spec']['directResponse']>;

function extensionDirectResponse(value: unknown, path: Path, problems: Problems): ExtensionDirectResponse {
  const fields = object(value, path, problems);
  const contentType = optional(fields, 'contentType', headerValue, path, problems);
  const body = optional(fields, 'body', inlineBody, path, problems);
  return {
    statusCode: defaulted(fields, 'statusCode', integer(200, 599), 200, path, problems),
    ...(contentType !== undefined && { contentType }),
    ...(body !== undefined && { body }),
  };
}

/** Envoy's default limit on direct response bodies, in bytes. */
const MAX_BODY_BYTES = 4096;

/** Only inline bodies: a ConfigMap valueRef would need ConfigMaps, which this implementation does not load. */
function inlineBody(value: unknown, path: Path, problems: Problems): string {
  const fields = object(value, path, problems);
  field(fields, 'type', oneOf(['Inline']), path, problems);
  const body = field(fields, 'inline', string(), path, problems);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    problems.add([...path, 'inline'], `must be at most ${MAX_BODY_BYTES} bytes long`);
  }
  return body;
}
