import {
  type BackendTrafficPolicy,
  type RateLimitClientSelector,
  type RateLimitHeaderSelector,
  type RateLimitRuleSpec,
  type RateLimitSpec,
} from '../resources.ts';
import {
  boolean,
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
import { parseCIDR } from './cidr.ts';
import { headerName } from './formats.ts';
import { objectMeta } from './metadata.ts';
import { policyTargets, refuseUntranslated } from './policy-targets.ts';

/** The kinds Envoy Gateway's CRD lets a BackendTrafficPolicy target. */
const TARGET_KINDS = ['Gateway', 'HTTPRoute', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute', 'XListenerSet'];
const TRANSLATED_FIELDS = ['targetRef', 'targetRefs', 'rateLimit'];
const UNITS = ['Second', 'Minute', 'Hour', 'Day'] as const;
const UNIT_SECONDS: Readonly<Record<(typeof UNITS)[number], number>> = {
  Second: 1,
  Minute: 60,
  Hour: 3600,
  Day: 86400,
};
const MAX_UINT32 = 4294967295;

/** gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy, with the CRD's schema and CEL rules. */
export function decodeBackendTrafficPolicy(doc: Fields, problems: Problems): BackendTrafficPolicy {
  const spec = object(doc['spec'], ['spec'], problems);
  refuseUntranslated(spec, TRANSLATED_FIELDS, ['spec'], problems, 'only rateLimit is translated');
  const rateLimit = optional(spec, 'rateLimit', rateLimitSpec, ['spec'], problems);
  return {
    kind: 'BackendTrafficPolicy',
    metadata: objectMeta(doc['metadata'], ['metadata'], problems),
    spec: { targetRefs: policyTargets(spec, TARGET_KINDS, problems), ...(rateLimit && { rateLimit }) },
  };
}

function rateLimitSpec(value: unknown, path: Path, problems: Problems): RateLimitSpec {
  const fields = object(value, path, problems);
  const type = optional(fields, 'type', oneOf(['Global', 'Local']), path, problems);
  const has = (key: string) => !isAbsent(fields[key]);
  if (type !== undefined) {
    const other = type === 'Global' ? 'local' : 'global';
    if (!has(type.toLowerCase())) problems.add([...path, type.toLowerCase()], `is required when type is ${type}`);
    if (has(other)) problems.add([...path, other], `must not be set when type is ${type}`);
  } else if (has('global') && has('local')) {
    problems.add(path, 'global and local together are not supported yet; use two policies on different targets');
  } else if (!has('global') && !has('local')) {
    problems.add(path, 'one of global or local must be set');
  }
  const scope = type ?? (has('local') ? 'Local' : 'Global');
  const key = scope === 'Local' ? 'local' : 'global';
  // A missing section was reported above.
  if (!has(key)) return { type: scope, rules: [] };
  const section = object(fields[key], [...path, key], problems);
  if (scope === 'Global') {
    return {
      type: 'Global',
      rules: field(section, 'rules', list(rule('Global'), { max: 128 }), [...path, key], problems),
    };
  }
  const rules = defaulted(section, 'rules', list(rule('Local'), { max: 16 }), [], [...path, key], problems);
  checkLocalRules(rules, [...path, key, 'rules'], problems);
  return { type: 'Local', rules };
}

type Scope = 'Global' | 'Local';

function rule(scope: Scope) {
  return (value: unknown, path: Path, problems: Problems): RateLimitRuleSpec => {
    const fields = object(value, path, problems);
    for (const key of ['cost', 'shadowMode']) {
      if (!isAbsent(fields[key])) problems.add([...path, key], 'is not supported yet');
    }
    const shared = defaulted(fields, 'shared', boolean, false, path, problems);
    if (shared && scope === 'Local') problems.add([...path, 'shared'], 'is only supported for Global rate limits');
    return {
      clientSelectors: defaulted(
        fields,
        'clientSelectors',
        list(clientSelector(scope), { max: 8 }),
        [],
        path,
        problems,
      ),
      limit: limit(fields['limit'], [...path, 'limit'], problems, scope),
      shared,
    };
  };
}

function limit(value: unknown, path: Path, problems: Problems, scope: Scope): RateLimitRuleSpec['limit'] {
  const fields = object(value, path, problems);
  // Envoy refuses an empty token bucket (with the whole route table), so a local limit needs a request.
  const requests = field(fields, 'requests', integer(scope === 'Local' ? 1 : 0, MAX_UINT32), path, problems);
  const unitText = field(fields, 'unit', string({ min: 1 }), path, problems);
  const unit = UNITS.find((u) => u === unitText);
  if (unitText !== '' && !unit) {
    problems.add(
      [...path, 'unit'],
      unitText === 'Month' || unitText === 'Year'
        ? `${unitText} is not supported yet; use one of ${UNITS.join(', ')}`
        : `must be one of ${UNITS.join(', ')}`,
    );
  }
  return { requests, unit: unit ?? 'Second' };
}

function clientSelector(scope: Scope) {
  return (value: unknown, path: Path, problems: Problems): RateLimitClientSelector => {
    const fields = object(value, path, problems);
    for (const key of ['methods', 'path', 'queryParams']) {
      if (!isAbsent(fields[key])) problems.add([...path, key], 'is not supported yet');
    }
    if (isAbsent(fields['headers']) && isAbsent(fields['sourceCIDR'])) {
      problems.add(path, 'at least one of headers, methods, path or sourceCIDR must be specified');
    }
    const sourceCIDR = optional(fields, 'sourceCIDR', sourceMatch(scope), path, problems);
    return {
      headers: defaulted(fields, 'headers', list(headerSelector(scope), { max: 16 }), [], path, problems),
      ...(sourceCIDR && { sourceCIDR }),
    };
  };
}

function headerSelector(scope: Scope) {
  return (value: unknown, path: Path, problems: Problems): RateLimitHeaderSelector => {
    const fields = object(value, path, problems);
    const name = field(fields, 'name', headerName, path, problems);
    const type = defaulted(fields, 'type', oneOf(['Exact', 'RegularExpression', 'Distinct']), 'Exact', path, problems);
    const invert = defaulted(fields, 'invert', boolean, false, path, problems);
    if (type === 'Distinct') {
      if (scope === 'Local') problems.add([...path, 'type'], 'Distinct is not supported for Local rate limits');
      if (!isAbsent(fields['value'])) problems.add([...path, 'value'], 'must not be set when type is Distinct');
      if (invert) problems.add([...path, 'invert'], 'is not applicable when type is Distinct');
      return { type, name };
    }
    if (invert) problems.add([...path, 'invert'], 'is not supported yet');
    const headerValue = fields['value'];
    if (isAbsent(headerValue)) {
      problems.add([...path, 'value'], `is required when type is ${type}`);
      return { type, name, value: '' };
    }
    return { type, name, value: string({ max: 1024 })(headerValue, [...path, 'value'], problems) };
  };
}

function sourceMatch(scope: Scope) {
  return (value: unknown, path: Path, problems: Problems): NonNullable<RateLimitClientSelector['sourceCIDR']> => {
    const fields = object(value, path, problems);
    const type = defaulted(fields, 'type', oneOf(['Exact', 'Distinct']), 'Exact', path, problems);
    if (type === 'Distinct' && scope === 'Local') {
      problems.add([...path, 'type'], 'Distinct is not supported for Local rate limits');
    }
    const cidr = field(fields, 'value', string({ min: 1, max: 256 }), path, problems);
    if (cidr !== '' && !parseCIDR(cidr)) {
      problems.add([...path, 'value'], 'must be an IPv4 or IPv6 CIDR such as 192.168.0.0/16');
    }
    return { type, value: cidr };
  };
}

/**
 * Envoy's local rate limit needs one default bucket per route: the rule without clientSelectors (at most
 * one), and every rule's interval a multiple of the default's (larger units always are).
 */
function checkLocalRules(rules: readonly RateLimitRuleSpec[], path: Path, problems: Problems): void {
  const defaults = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.clientSelectors.length === 0);
  for (const { i } of defaults.slice(1)) {
    problems.add([...path, i], 'only one Local rule may have no clientSelectors (it is the default limit)');
  }
  const fallback = defaults[0];
  if (!fallback) return;
  rules.forEach((r, i) => {
    if (UNIT_SECONDS[r.limit.unit] < UNIT_SECONDS[fallback.r.limit.unit]) {
      problems.add(
        [...path, i, 'limit', 'unit'],
        `must be a multiple of the default limit's unit (${fallback.r.limit.unit}, rule ${fallback.i})`,
      );
    }
  });
}
