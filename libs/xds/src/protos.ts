import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { EnvoyProtoLoadError } from './errors.ts';

/** Entry files (resources, the extensions they and the bootstrap embed, ADS); their imports pull in the rest. */
const ENTRY_PROTOS = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'udp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/grpc_stats/v3/config.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/resource_monitors/downstream_connections/v3/downstream_connections.proto',
  'envoy/service/discovery/v3/ads.proto',
];

let root: protobuf.Root | undefined;

/** Envoy's API as reflected protobufjs types, loaded once from the .proto files @grpc/grpc-js-xds ships. */
export function envoyProtos(): protobuf.Root {
  root ??= load();
  return root;
}

/** A message type by its full name, e.g. `envoy.config.cluster.v3.Cluster`. */
export function messageType(fullName: string): protobuf.Type {
  return envoyProtos().lookupType(fullName);
}

function load(): protobuf.Root {
  const require = createRequire(import.meta.url);
  let includeDirs: string[];
  try {
    const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
    // google/protobuf/descriptor.proto is not in the deps; protobufjs ships it.
    const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));
    includeDirs = [
      ...['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((d) => join(deps, d)),
      protobufjsDir,
      // Our own subsets of Envoy protos that @grpc/grpc-js-xds does not ship.
      join(import.meta.dirname, '../proto'),
    ];
  } catch (err) {
    throw new EnvoyProtoLoadError('cannot locate the Envoy .proto files of @grpc/grpc-js-xds', { cause: err });
  }
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin, target) => includeDirs.map((d) => join(d, target)).find(existsSync) ?? target;
  try {
    loaded.loadSync(ENTRY_PROTOS);
    loaded.resolveAll();
  } catch (err) {
    throw new EnvoyProtoLoadError(`cannot load the Envoy .proto files from ${includeDirs.join(', ')}`, { cause: err });
  }
  fixFullNames(loaded);
  return loaded;
}

/**
 * protobufjs computes `fullName` by walking the parents on every read, and its ProtoJSON reader reads it for
 * every message it converts (about 40% of translating 10,000 routes). Nothing is added to the root after
 * loading, so each object's name is fixed once as an own property.
 */
function fixFullNames(object: protobuf.ReflectionObject): void {
  Object.defineProperty(object, 'fullName', { value: object.fullName, enumerable: false });
  const children: protobuf.ReflectionObject[] = [];
  if (object instanceof protobuf.Namespace) children.push(...object.nestedArray);
  if (object instanceof protobuf.Type) children.push(...object.fieldsArray, ...object.oneofsArray);
  if (object instanceof protobuf.Service) children.push(...object.methodsArray);
  children.forEach(fixFullNames);
}
