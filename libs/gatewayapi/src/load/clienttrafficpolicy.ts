import type { ClientTrafficSettings } from '@eg/ir';
import type { ClientTrafficPolicy } from '../resources.ts';
import { boolean, integer, object, oneOf, optional, string, type Fields, type Path, type Problems } from './decode.ts';
import { duration } from './formats.ts';
import { objectMeta } from './metadata.ts';
import { policyTargets, refuseUntranslated } from './policy-targets.ts';

const TARGET_KINDS = ['Gateway'];
const TRANSLATED_FIELDS = ['targetRef', 'targetRefs', 'clientIPDetection', 'headers', 'path', 'timeout', 'healthCheck'];
const MAX_UINT32 = 4294967295;

/** gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy, with the CRD's schema and CEL rules. */
export function decodeClientTrafficPolicy(doc: Fields, problems: Problems): ClientTrafficPolicy {
  const spec = object(doc['spec'], ['spec'], problems);
  refuseUntranslated(
    spec,
    TRANSLATED_FIELDS,
    ['spec'],
    problems,
    `translated: ${TRANSLATED_FIELDS.slice(2).join(', ')}`,
  );
  const path: Path = ['spec'];
  const settings: ClientTrafficSettings = {
    ...optional(spec, 'clientIPDetection', clientIPDetection, path, problems),
    ...optional(spec, 'headers', headers, path, problems),
    ...optional(spec, 'path', pathSettings, path, problems),
    ...optional(spec, 'timeout', timeout, path, problems),
    ...optional(spec, 'healthCheck', healthCheck, path, problems),
  };
  return {
    kind: 'ClientTrafficPolicy',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: { targetRefs: policyTargets(spec, TARGET_KINDS, problems), settings },
  };
}

function clientIPDetection(
  value: unknown,
  path: Path,
  problems: Problems,
): Pick<ClientTrafficSettings, 'xffNumTrustedHops'> {
  const fields = object(value, path, problems);
  refuseUntranslated(fields, ['xForwardedFor'], path, problems);
  const xff = optional(fields, 'xForwardedFor', object, path, problems);
  if (!xff) return {};
  const xffPath = [...path, 'xForwardedFor'];
  refuseUntranslated(xff, ['numTrustedHops'], xffPath, problems);
  const hops = optional(xff, 'numTrustedHops', integer(0, MAX_UINT32), xffPath, problems);
  return hops === undefined ? {} : { xffNumTrustedHops: hops };
}

type HeaderSettings = Pick<ClientTrafficSettings, 'enableEnvoyHeaders' | 'withUnderscoresAction' | 'requestID'>;

function headers(value: unknown, path: Path, problems: Problems): HeaderSettings {
  const fields = object(value, path, problems);
  refuseUntranslated(
    fields,
    ['enableEnvoyHeaders', 'withUnderscoresAction', 'preserveXRequestID', 'requestID'],
    path,
    problems,
  );
  const envoyHeaders = optional(fields, 'enableEnvoyHeaders', boolean, path, problems);
  const underscores = optional(
    fields,
    'withUnderscoresAction',
    oneOf(['Allow', 'RejectRequest', 'DropHeader']),
    path,
    problems,
  );
  const preserve = optional(fields, 'preserveXRequestID', boolean, path, problems);
  const requestID = optional(
    fields,
    'requestID',
    oneOf(['PreserveOrGenerate', 'Preserve', 'Generate', 'Disable']),
    path,
    problems,
  );
  if (preserve !== undefined && requestID !== undefined) {
    problems.add(path, 'preserveXRequestID and requestID cannot both be set');
  }
  // preserveXRequestID is the older spelling of requestID: PreserveOrGenerate.
  const id = requestID ?? (preserve ? 'PreserveOrGenerate' : undefined);
  return {
    ...(envoyHeaders && { enableEnvoyHeaders: true }),
    ...(underscores !== undefined && { withUnderscoresAction: underscores }),
    ...(id !== undefined && { requestID: id }),
  };
}

function pathSettings(
  value: unknown,
  path: Path,
  problems: Problems,
): Pick<ClientTrafficSettings, 'mergeSlashes' | 'escapedSlashesAction'> {
  const fields = object(value, path, problems);
  refuseUntranslated(fields, ['disableMergeSlashes', 'escapedSlashesAction'], path, problems);
  const disableMerge = optional(fields, 'disableMergeSlashes', boolean, path, problems);
  const escaped = optional(
    fields,
    'escapedSlashesAction',
    oneOf(['KeepUnchanged', 'RejectRequest', 'UnescapeAndRedirect', 'UnescapeAndForward']),
    path,
    problems,
  );
  return {
    ...(disableMerge && { mergeSlashes: false }),
    ...(escaped !== undefined && { escapedSlashesAction: escaped }),
  };
}

type TimeoutSettings = Pick<
  ClientTrafficSettings,
  'requestReceivedTimeoutMs' | 'idleTimeoutMs' | 'streamIdleTimeoutMs'
>;

function timeout(value: unknown, path: Path, problems: Problems): TimeoutSettings {
  const fields = object(value, path, problems);
  refuseUntranslated(fields, ['http'], path, problems);
  const http = optional(fields, 'http', object, path, problems);
  if (!http) return {};
  const httpPath = [...path, 'http'];
  refuseUntranslated(http, ['requestReceivedTimeout', 'idleTimeout', 'streamIdleTimeout'], httpPath, problems);
  const received = optional(http, 'requestReceivedTimeout', duration, httpPath, problems);
  const idle = optional(http, 'idleTimeout', duration, httpPath, problems);
  const streamIdle = optional(http, 'streamIdleTimeout', duration, httpPath, problems);
  return {
    ...(received !== undefined && { requestReceivedTimeoutMs: received }),
    ...(idle !== undefined && { idleTimeoutMs: idle }),
    ...(streamIdle !== undefined && { streamIdleTimeoutMs: streamIdle }),
  };
}

function healthCheck(value: unknown, path: Path, problems: Problems): Pick<ClientTrafficSettings, 'healthCheckPath'> {
  const fields = object(value, path, problems);
  refuseUntranslated(fields, ['path'], path, problems);
  const checkPath = string({ min: 1, max: 1024, pattern: /^\//, format: 'an absolute path' })(
    fields['path'],
    [...path, 'path'],
    problems,
  );
  return { healthCheckPath: checkPath };
}
