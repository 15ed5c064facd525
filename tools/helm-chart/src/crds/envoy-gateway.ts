import { AGE, type CrdDefinition } from './crd.ts';
import {
  arr,
  bool,
  conditionsStatus,
  duration,
  hostname,
  int,
  intOrString,
  name,
  obj,
  oneOf,
  opaque,
  policyStatus,
  str,
  stringMap,
  targetRef,
  type Schema,
} from './schema.ts';

// Envoy Gateway's kinds (gateway.envoyproxy.io/v1alpha1). Their APIs are large; the fields the loaders read
// are modelled and every other field is kept as written (`x-kubernetes-preserve-unknown-fields`), so
// resources written for Envoy Gateway apply unchanged.

const GROUP = 'gateway.envoyproxy.io';
const VERSION = 'v1alpha1';
const CATEGORIES = ['envoy-gateway'];

/** An object with some fields modelled and the others kept. */
function partial(properties: Readonly<Record<string, Schema>>, required: readonly string[] = []): Schema {
  return { ...obj(properties, required), 'x-kubernetes-preserve-unknown-fields': true };
}

const quantities = (): Schema => ({ type: 'object', additionalProperties: intOrString() });

const workload = (extra: Readonly<Record<string, Schema>> = {}): Schema =>
  partial({
    ...extra,
    pod: partial({ labels: stringMap(), annotations: stringMap() }),
    container: partial({ resources: partial({ requests: quantities(), limits: quantities() }) }),
  });

const envoyProxySpec = (): Schema =>
  partial({
    provider: obj(
      {
        type: oneOf(['Kubernetes', 'Host', 'Custom']),
        kubernetes: partial({
          envoyDeployment: workload({ replicas: int({ minimum: 0 }) }),
          envoyDaemonSet: workload(),
          envoyService: partial({
            type: oneOf(['LoadBalancer', 'ClusterIP', 'NodePort']),
            annotations: stringMap(),
            externalTrafficPolicy: oneOf(['Local', 'Cluster']),
            loadBalancerClass: str(),
            loadBalancerIP: str(),
          }),
          envoyHpa: partial({ minReplicas: int({ minimum: 1 }), maxReplicas: int({ minimum: 1 }) }, ['maxReplicas']),
          envoyPDB: partial({ minAvailable: intOrString(), maxUnavailable: intOrString() }),
        }),
        host: opaque(),
        custom: opaque(),
      },
      ['type'],
    ),
    mergeType: oneOf(['StrategicMerge', 'JSONMerge']),
    mergeGateways: bool(),
  });

const endpointPort = (): Schema => int({ minimum: 0, maximum: 65535 });

const backendSpec = (): Schema =>
  partial({
    type: oneOf(['Endpoints', 'DynamicResolver']),
    endpoints: arr(
      partial({
        ip: obj({ address: str({ minLength: 3, maxLength: 45 }), port: endpointPort() }, ['address', 'port']),
        fqdn: obj({ hostname: hostname(), port: endpointPort() }, ['hostname', 'port']),
        unix: obj({ path: str({ minLength: 1, maxLength: 108 }) }, ['path']),
      }),
      { maxItems: 64 },
    ),
  });

/** targetRef (deprecated), targetRefs or targetSelectors: what a policy attaches to. */
const policyTargets = (): Readonly<Record<string, Schema>> => ({
  targetRef: targetRef(),
  targetRefs: arr(targetRef(), { maxItems: 16 }),
  targetSelectors: arr(opaque(), { maxItems: 16 }),
});

const rateLimitRule = (): Schema =>
  partial(
    {
      clientSelectors: arr(
        partial({
          headers: arr(
            obj(
              {
                type: oneOf(['Exact', 'RegularExpression', 'Distinct']),
                name: str({ minLength: 1, maxLength: 256 }),
                value: str({ maxLength: 1024 }),
                invert: bool(),
              },
              ['name'],
            ),
            { maxItems: 16 },
          ),
          sourceCIDR: obj({ type: oneOf(['Exact', 'Distinct']), value: str({ minLength: 1, maxLength: 256 }) }, [
            'value',
          ]),
        }),
        { maxItems: 8 },
      ),
      limit: obj({ requests: { type: 'integer', minimum: 0 }, unit: str() }, ['requests', 'unit']),
      shared: bool(),
    },
    ['limit'],
  );

const backendTrafficPolicySpec = (): Schema =>
  partial({
    ...policyTargets(),
    rateLimit: partial({
      type: oneOf(['Global', 'Local']),
      global: partial({ rules: arr(rateLimitRule(), { maxItems: 128 }) }, ['rules']),
      local: partial({ rules: arr(rateLimitRule(), { maxItems: 16 }) }),
    }),
  });

const clientTrafficPolicySpec = (): Schema =>
  partial({
    ...policyTargets(),
    clientIPDetection: partial({ xForwardedFor: partial({ numTrustedHops: int({ minimum: 0 }) }) }),
    headers: partial({
      enableEnvoyHeaders: bool(),
      withUnderscoresAction: oneOf(['Allow', 'RejectRequest', 'DropHeader']),
      preserveXRequestID: bool(),
      requestID: oneOf(['PreserveOrGenerate', 'Preserve', 'Generate', 'Disable']),
    }),
    path: partial({
      disableMergeSlashes: bool(),
      escapedSlashesAction: oneOf(['KeepUnchanged', 'RejectRequest', 'UnescapeAndRedirect', 'UnescapeAndForward']),
    }),
    timeout: partial({
      http: partial({ requestReceivedTimeout: duration(), idleTimeout: duration(), streamIdleTimeout: duration() }),
    }),
    healthCheck: partial({ path: str({ minLength: 1, maxLength: 1024 }) }, ['path']),
  });

const jwtProvider = (): Schema =>
  partial(
    {
      name: str({ minLength: 1, maxLength: 253 }),
      issuer: str({ maxLength: 253 }),
      audiences: arr(str(), { maxItems: 8 }),
      remoteJWKS: partial({ uri: str({ minLength: 1, maxLength: 253 }), cacheDuration: str() }, ['uri']),
      localJWKS: partial({ type: oneOf(['Inline', 'ValueRef']), inline: str() }),
      claimToHeaders: arr(obj({ header: str(), claim: str() }, ['header', 'claim'])),
      extractFrom: partial({
        headers: arr(obj({ name: str(), valuePrefix: str() }, ['name'])),
        cookies: arr(str()),
        params: arr(str()),
      }),
      recomputeRoute: bool(),
    },
    ['name'],
  );

const securityPolicySpec = (): Schema =>
  partial({
    ...policyTargets(),
    jwt: partial({ optional: bool(), providers: arr(jwtProvider(), { maxItems: 4 }) }, ['providers']),
    cors: partial({
      allowOrigins: arr(str({ minLength: 1, maxLength: 253 })),
      allowMethods: arr(str()),
      allowHeaders: arr(str()),
      exposeHeaders: arr(str()),
      maxAge: duration(),
      allowCredentials: bool(),
    }),
  });

const envoyPatchPolicySpec = (): Schema =>
  partial(
    {
      ...policyTargets(),
      type: oneOf(['JSONPatch']),
      jsonPatches: arr(
        obj(
          {
            type: str(),
            name: str(),
            operation: obj(
              {
                op: oneOf(['add', 'remove', 'replace', 'move', 'copy', 'test']),
                path: str(),
                from: str(),
                value: opaque(),
              },
              ['op'],
            ),
          },
          ['type', 'name', 'operation'],
        ),
      ),
      priority: int(),
    },
    ['type'],
  );

const httpRouteFilterSpec = (): Schema =>
  obj({
    urlRewrite: obj({
      hostname: obj({ type: oneOf(['Header', 'Backend']), header: str({ minLength: 1, maxLength: 256 }) }, ['type']),
      path: obj(
        {
          type: oneOf(['ReplaceRegexMatch']),
          replaceRegexMatch: obj({ pattern: str({ minLength: 1 }), substitution: str() }, ['pattern', 'substitution']),
        },
        ['type'],
      ),
    }),
    directResponse: obj({
      contentType: str(),
      statusCode: int({ minimum: 200, maximum: 599 }),
      body: obj(
        {
          type: oneOf(['Inline', 'ValueRef']),
          inline: str(),
          valueRef: obj({ group: str(), kind: str(), name: name() }, ['group', 'kind', 'name']),
        },
        ['type'],
      ),
    }),
    credentialInjection: opaque(),
    matches: opaque(),
  });

function policy(kind: string, plural: string, shortName: string, spec: Schema): CrdDefinition {
  return {
    bundle: 'envoyGateway',
    group: GROUP,
    kind,
    plural,
    scope: 'Namespaced',
    shortNames: [shortName],
    categories: CATEGORIES,
    storageVersion: VERSION,
    spec,
    status: policyStatus(),
    printerColumns: [AGE],
  };
}

export const ENVOY_GATEWAY_CRDS: readonly CrdDefinition[] = [
  {
    bundle: 'envoyGateway',
    group: GROUP,
    kind: 'EnvoyProxy',
    plural: 'envoyproxies',
    scope: 'Namespaced',
    shortNames: ['eproxy'],
    categories: CATEGORIES,
    storageVersion: VERSION,
    spec: envoyProxySpec(),
    specRequired: false,
    status: opaque(),
    printerColumns: [AGE],
  },
  {
    bundle: 'envoyGateway',
    group: GROUP,
    kind: 'Backend',
    plural: 'backends',
    scope: 'Namespaced',
    shortNames: ['be'],
    categories: CATEGORIES,
    storageVersion: VERSION,
    spec: backendSpec(),
    status: conditionsStatus(),
    printerColumns: [
      { name: 'Status', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].reason' },
      AGE,
    ],
  },
  policy('ClientTrafficPolicy', 'clienttrafficpolicies', 'ctp', clientTrafficPolicySpec()),
  policy('BackendTrafficPolicy', 'backendtrafficpolicies', 'btp', backendTrafficPolicySpec()),
  policy('SecurityPolicy', 'securitypolicies', 'sp', securityPolicySpec()),
  policy('EnvoyExtensionPolicy', 'envoyextensionpolicies', 'eep', partial(policyTargets())),
  policy('EnvoyPatchPolicy', 'envoypatchpolicies', 'epp', envoyPatchPolicySpec()),
  {
    bundle: 'envoyGateway',
    group: GROUP,
    kind: 'HTTPRouteFilter',
    plural: 'httproutefilters',
    scope: 'Namespaced',
    shortNames: ['hrf'],
    categories: CATEGORIES,
    storageVersion: VERSION,
    spec: httpRouteFilterSpec(),
    printerColumns: [AGE],
  },
];
