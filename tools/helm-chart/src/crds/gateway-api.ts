import { AGE, conditionColumn, type CrdDefinition } from './crd.ts';
import {
  arr,
  backendRef,
  bool,
  conditions,
  duration,
  group,
  hostname,
  int,
  keyedList,
  kind,
  name,
  obj,
  oneOf,
  opaque,
  parentRef,
  policyStatus,
  port,
  routeStatus,
  sectionName,
  str,
  stringMap,
  targetRef,
  type Schema,
} from './schema.ts';

// The Gateway API kinds this control plane serves, at the versions the provider watches (storage) and the
// older ones the loaders still accept. Fields the loaders read are modelled; the rest passes through.

const GROUP = 'gateway.networking.k8s.io';
const CATEGORIES = ['gateway-api'];
const HOSTNAMES = (): Schema => arr(hostname(), { maxItems: 16 });
const namespace = (): Schema => str({ minLength: 1, maxLength: 63 });

const objectRef = (): Schema => obj({ group: group(), kind: kind(), name: name(), namespace: namespace() }, ['name']);

const labelSelector = (): Schema =>
  obj({
    matchLabels: stringMap(),
    matchExpressions: arr(
      obj({ key: str(), operator: oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: arr(str()) }, [
        'key',
        'operator',
      ]),
    ),
  });

const listener = (): Schema =>
  obj(
    {
      name: sectionName(),
      hostname: hostname(),
      port: port(),
      protocol: str({ minLength: 1, maxLength: 255 }),
      tls: obj({
        mode: oneOf(['Terminate', 'Passthrough']),
        certificateRefs: arr(objectRef(), { maxItems: 64 }),
        options: stringMap(),
        frontendValidation: opaque(),
      }),
      allowedRoutes: obj({
        namespaces: obj({ from: oneOf(['All', 'Same', 'Selector']), selector: labelSelector() }),
        kinds: arr(obj({ group: group(), kind: kind() }, ['kind']), { maxItems: 8 }),
      }),
    },
    ['name', 'port', 'protocol'],
  );

const frontendTLSConfig = (): Schema =>
  obj({
    validation: obj(
      {
        caCertificateRefs: arr(obj({ group: group(), kind: kind(), name: name(), namespace: namespace() }, ['name']), {
          minItems: 1,
          maxItems: 8,
        }),
        mode: oneOf(['AllowValidOnly', 'AllowInsecureFallback'], { default: 'AllowValidOnly' }),
      },
      ['caCertificateRefs'],
    ),
  });

const frontendTLS = (): Schema =>
  obj({
    default: frontendTLSConfig(),
    perPort: keyedList(obj({ port: port(), tls: frontendTLSConfig() }, ['port', 'tls']), 'port', { maxItems: 64 }),
  });

const gatewaySpec = (): Schema =>
  obj(
    {
      gatewayClassName: name(),
      listeners: keyedList(listener(), 'name', { minItems: 1, maxItems: 64 }),
      addresses: arr(
        obj({ type: str({ minLength: 1, maxLength: 253 }), value: str({ minLength: 1, maxLength: 253 }) }),
        {
          maxItems: 16,
        },
      ),
      infrastructure: obj({
        labels: stringMap(),
        annotations: stringMap(),
        parametersRef: obj({ group: group(), kind: kind(), name: name() }, ['group', 'kind', 'name']),
      }),
      backendTLS: opaque(),
      tls: obj({
        frontend: frontendTLS(),
        backend: obj({
          clientCertificateRef: obj({ group: group(), kind: kind(), name: name(), namespace: namespace() }, ['name']),
        }),
      }),
      allowedListeners: opaque(),
    },
    ['gatewayClassName', 'listeners'],
  );

const gatewayStatus = (): Schema =>
  obj({
    addresses: arr(obj({ type: str(), value: str({ minLength: 1, maxLength: 253 }) }, ['value']), { maxItems: 16 }),
    conditions: conditions(),
    listeners: keyedList(
      obj(
        {
          name: sectionName(),
          supportedKinds: arr(obj({ group: group(), kind: kind() }, ['kind'])),
          attachedRoutes: int(),
          conditions: conditions(),
        },
        ['name', 'supportedKinds', 'attachedRoutes', 'conditions'],
      ),
      'name',
      { maxItems: 64 },
    ),
  });

const headerMatch = (): Schema =>
  obj({ type: oneOf(['Exact', 'RegularExpression']), name: str({ minLength: 1, maxLength: 256 }), value: str() }, [
    'name',
    'value',
  ]);

const httpHeader = (): Schema =>
  obj({ name: str({ minLength: 1, maxLength: 256 }), value: str({ minLength: 1, maxLength: 4096 }) }, [
    'name',
    'value',
  ]);

const headerModifier = (): Schema =>
  obj({
    set: keyedList(httpHeader(), 'name', { maxItems: 16 }),
    add: keyedList(httpHeader(), 'name', { maxItems: 16 }),
    remove: arr(str(), { maxItems: 16, 'x-kubernetes-list-type': 'set' }),
  });

const pathModifier = (): Schema =>
  obj(
    {
      type: oneOf(['ReplaceFullPath', 'ReplacePrefixMatch']),
      replaceFullPath: str({ maxLength: 1024 }),
      replacePrefixMatch: str({ maxLength: 1024 }),
    },
    ['type'],
  );

const httpFilter = (): Schema =>
  obj(
    {
      type: oneOf([
        'RequestHeaderModifier',
        'ResponseHeaderModifier',
        'RequestRedirect',
        'URLRewrite',
        'RequestMirror',
        'ExtensionRef',
        'CORS',
      ]),
      requestHeaderModifier: headerModifier(),
      responseHeaderModifier: headerModifier(),
      requestRedirect: obj({
        scheme: oneOf(['http', 'https']),
        hostname: hostname(),
        path: pathModifier(),
        port: port(),
        statusCode: int({ enum: [301, 302, 303, 307, 308] }),
      }),
      urlRewrite: obj({ hostname: hostname(), path: pathModifier() }),
      requestMirror: obj(
        {
          backendRef: obj({ group: group(), kind: kind(), name: name(), namespace: namespace(), port: port() }, [
            'name',
          ]),
          percent: int({ minimum: 0, maximum: 100 }),
          fraction: obj({ numerator: int({ minimum: 0 }), denominator: int({ minimum: 1 }) }, ['numerator']),
        },
        ['backendRef'],
      ),
      extensionRef: obj({ group: group(), kind: kind(), name: name() }, ['group', 'kind', 'name']),
      cors: obj({
        allowOrigins: arr(str({ maxLength: 253 }), { maxItems: 64 }),
        allowCredentials: bool(),
        allowMethods: arr(
          oneOf(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']),
          { maxItems: 9 },
        ),
        allowHeaders: arr(str({ minLength: 1, maxLength: 256 }), { maxItems: 64 }),
        exposeHeaders: arr(str({ minLength: 1, maxLength: 256 }), { maxItems: 64 }),
        maxAge: int({ minimum: 1, default: 5 }),
      }),
    },
    ['type'],
  );

const httpBackendRef = (): Schema => backendRef({ filters: arr(httpFilter(), { maxItems: 16 }) });

const httpRouteSpec = (): Schema =>
  obj({
    parentRefs: arr(parentRef(), { maxItems: 32 }),
    hostnames: HOSTNAMES(),
    rules: arr(
      obj({
        name: sectionName(),
        matches: arr(
          obj({
            path: obj({ type: oneOf(['Exact', 'PathPrefix', 'RegularExpression']), value: str({ maxLength: 1024 }) }),
            headers: keyedList(headerMatch(), 'name', { maxItems: 16 }),
            queryParams: keyedList(headerMatch(), 'name', { maxItems: 16 }),
            method: oneOf(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
          }),
          { maxItems: 64 },
        ),
        filters: arr(httpFilter(), { maxItems: 16 }),
        backendRefs: arr(httpBackendRef(), { maxItems: 16 }),
        timeouts: obj({ request: duration(), backendRequest: duration() }),
        retry: obj({
          codes: arr(int({ minimum: 400, maximum: 599 }), { 'x-kubernetes-list-type': 'set' }),
          attempts: int({ minimum: 0 }),
          backoff: duration(),
        }),
        sessionPersistence: opaque(),
      }),
      { maxItems: 16 },
    ),
  });

const grpcRouteSpec = (): Schema =>
  obj({
    parentRefs: arr(parentRef(), { maxItems: 32 }),
    hostnames: HOSTNAMES(),
    rules: arr(
      obj({
        name: sectionName(),
        matches: arr(
          obj({
            method: obj({
              type: oneOf(['Exact', 'RegularExpression']),
              service: str({ maxLength: 1024 }),
              method: str({ maxLength: 1024 }),
            }),
            headers: keyedList(headerMatch(), 'name', { maxItems: 16 }),
          }),
          { maxItems: 64 },
        ),
        filters: arr(opaque(), { maxItems: 16 }),
        backendRefs: arr(opaque(), { maxItems: 16 }),
        sessionPersistence: opaque(),
      }),
      { maxItems: 16 },
    ),
  });

/** TLSRoute, TCPRoute and UDPRoute: parents, (TLS only) hostnames, and weighted backends. */
const l4RouteSpec = (withHostnames: boolean): Schema =>
  obj(
    {
      parentRefs: arr(parentRef(), { maxItems: 32 }),
      ...(withHostnames && { hostnames: HOSTNAMES() }),
      rules: arr(obj({ name: sectionName(), backendRefs: arr(backendRef(), { minItems: 1, maxItems: 16 }) }), {
        minItems: 1,
        maxItems: 16,
      }),
    },
    ['rules'],
  );

const HOSTNAMES_COLUMN = { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' } as const;

export const GATEWAY_API_CRDS: readonly CrdDefinition[] = [
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'GatewayClass',
    plural: 'gatewayclasses',
    scope: 'Cluster',
    shortNames: ['gc'],
    categories: CATEGORIES,
    storageVersion: 'v1',
    alsoServed: ['v1beta1'],
    spec: obj(
      {
        controllerName: str({ minLength: 1, maxLength: 253 }),
        parametersRef: obj({ group: group(), kind: kind(), name: name(), namespace: namespace() }, [
          'group',
          'kind',
          'name',
        ]),
        description: str({ maxLength: 64 }),
      },
      ['controllerName'],
    ),
    status: obj({ conditions: conditions(), supportedFeatures: arr(opaque()) }),
    printerColumns: [
      { name: 'Controller', type: 'string', jsonPath: '.spec.controllerName' },
      conditionColumn('Accepted'),
      AGE,
      { name: 'Description', type: 'string', jsonPath: '.spec.description', priority: 1 },
    ],
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'Gateway',
    plural: 'gateways',
    scope: 'Namespaced',
    shortNames: ['gtw'],
    categories: CATEGORIES,
    storageVersion: 'v1',
    alsoServed: ['v1beta1'],
    spec: gatewaySpec(),
    status: gatewayStatus(),
    printerColumns: [
      { name: 'Class', type: 'string', jsonPath: '.spec.gatewayClassName' },
      { name: 'Address', type: 'string', jsonPath: '.status.addresses[*].value' },
      conditionColumn('Programmed'),
      AGE,
    ],
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'HTTPRoute',
    plural: 'httproutes',
    scope: 'Namespaced',
    categories: CATEGORIES,
    storageVersion: 'v1',
    alsoServed: ['v1beta1'],
    spec: httpRouteSpec(),
    status: routeStatus(),
    printerColumns: [HOSTNAMES_COLUMN, AGE],
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'GRPCRoute',
    plural: 'grpcroutes',
    scope: 'Namespaced',
    categories: CATEGORIES,
    storageVersion: 'v1',
    spec: grpcRouteSpec(),
    status: routeStatus(),
    printerColumns: [HOSTNAMES_COLUMN, AGE],
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'TLSRoute',
    plural: 'tlsroutes',
    scope: 'Namespaced',
    categories: CATEGORIES,
    storageVersion: 'v1alpha2',
    spec: l4RouteSpec(true),
    status: routeStatus(),
    printerColumns: [HOSTNAMES_COLUMN, AGE],
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'TCPRoute',
    plural: 'tcproutes',
    scope: 'Namespaced',
    categories: CATEGORIES,
    storageVersion: 'v1alpha2',
    spec: l4RouteSpec(false),
    status: routeStatus(),
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'UDPRoute',
    plural: 'udproutes',
    scope: 'Namespaced',
    categories: CATEGORIES,
    storageVersion: 'v1alpha2',
    spec: l4RouteSpec(false),
    status: routeStatus(),
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'ReferenceGrant',
    plural: 'referencegrants',
    scope: 'Namespaced',
    shortNames: ['refgrant'],
    categories: CATEGORIES,
    storageVersion: 'v1beta1',
    spec: obj(
      {
        from: arr(obj({ group: group(), kind: kind(), namespace: namespace() }, ['group', 'kind', 'namespace']), {
          minItems: 1,
          maxItems: 16,
        }),
        to: arr(obj({ group: group(), kind: kind(), name: name() }, ['group', 'kind']), { minItems: 1, maxItems: 16 }),
      },
      ['from', 'to'],
    ),
  },
  {
    bundle: 'gatewayAPI',
    group: GROUP,
    kind: 'BackendTLSPolicy',
    plural: 'backendtlspolicies',
    scope: 'Namespaced',
    shortNames: ['btlspolicy'],
    categories: CATEGORIES,
    storageVersion: 'v1alpha3',
    spec: obj(
      {
        targetRefs: arr(targetRef(), { minItems: 1, maxItems: 16 }),
        validation: obj({
          caCertificateRefs: arr(obj({ group: group(), kind: kind(), name: name() }, ['group', 'kind', 'name']), {
            maxItems: 8,
          }),
          wellKnownCACertificates: oneOf(['System']),
          hostname: hostname(),
          subjectAltNames: arr(opaque(), { maxItems: 5 }),
        }),
        options: stringMap(),
      },
      ['targetRefs', 'validation'],
    ),
    status: policyStatus(),
  },
];
