import type { SubjectAltName } from '@eg/ir';
import type { BackendTLSPolicy, BackendTLSValidation, PolicyTargetReference } from '../resources.ts';
import {
  checkUnique,
  defaulted,
  field,
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
import { group, kind, objectName, preciseHostname, sectionName } from './formats.ts';
import { objectMeta } from './metadata.ts';

/** gateway.networking.k8s.io BackendTLSPolicy (v1, and v1alpha3 as older clusters serve it), with the CRD's rules. */
export function decodeBackendTLSPolicy(doc: Fields, problems: Problems): BackendTLSPolicy {
  const metadata = objectMeta(doc['metadata'], ['metadata'], problems);
  const spec = object(doc['spec'], ['spec'], problems);
  const targetRefs = field(spec, 'targetRefs', list(targetRef, { min: 1, max: 16 }), ['spec'], problems);
  checkUnique(
    targetRefs,
    (t) => `${t.group}/${t.kind}/${t.name}/${t.sectionName ?? ''}`,
    ['spec', 'targetRefs'],
    'targetRef',
    problems,
  );
  return {
    kind: 'BackendTLSPolicy',
    metadata,
    spec: { targetRefs, validation: field(spec, 'validation', validation, ['spec'], problems) },
  };
}

function targetRef(value: unknown, path: Path, problems: Problems): PolicyTargetReference {
  const fields = object(value, path, problems);
  const section = optional(fields, 'sectionName', sectionName, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    name: field(fields, 'name', objectName, path, problems),
    ...(section !== undefined && { sectionName: section }),
  };
}

function validation(value: unknown, path: Path, problems: Problems): BackendTLSValidation {
  const fields = object(value, path, problems);
  const caCertificateRefs = defaulted(fields, 'caCertificateRefs', list(localRef, { max: 8 }), [], path, problems);
  const wellKnown = optional(fields, 'wellKnownCACertificates', oneOf(['System']), path, problems);
  if (caCertificateRefs.length > 0 === (wellKnown !== undefined)) {
    problems.add(path, 'must specify exactly one of caCertificateRefs or wellKnownCACertificates');
  }
  const subjectAltNames = defaulted(fields, 'subjectAltNames', list(subjectAltName, { max: 5 }), [], path, problems);
  return {
    caCertificateRefs,
    ...(wellKnown !== undefined && { wellKnownCACertificates: wellKnown }),
    hostname: field(fields, 'hostname', preciseHostname, path, problems),
    subjectAltNames,
  };
}

function localRef(value: unknown, path: Path, problems: Problems) {
  const fields = object(value, path, problems);
  return {
    group: field(fields, 'group', group, path, problems),
    kind: field(fields, 'kind', kind, path, problems),
    name: field(fields, 'name', objectName, path, problems),
  };
}

/** CEL: `hostname` exactly when type is Hostname, `uri` exactly when type is URI. */
function subjectAltName(value: unknown, path: Path, problems: Problems): SubjectAltName {
  const fields = object(value, path, problems);
  const type = field(fields, 'type', oneOf(['Hostname', 'URI']), path, problems);
  const [wanted, other] = type === 'Hostname' ? ['hostname', 'uri'] : ['uri', 'hostname'];
  if (!isAbsent(fields[other])) problems.add([...path, other], `must not be set when type is ${type}`);
  if (type === 'Hostname') return { type, hostname: field(fields, wanted, preciseHostname, path, problems) };
  const uri = field(fields, wanted, string({ min: 1, max: 253 }), path, problems);
  if (uri !== '' && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(uri)) problems.add([...path, 'uri'], 'must be a URI');
  return { type, uri };
}
