import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Envoy's RateLimitService definition, loaded from the .proto files @grpc/grpc-js-xds ships. */
export function rateLimitServiceDefinition(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const definition = loadSync('envoy/service/ratelimit/v3/rls.proto', {
    includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((d) => join(deps, d)),
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const pkg = loadPackageDefinition(definition) as unknown as {
    envoy: { service: { ratelimit: { v3: { RateLimitService: { service: ServiceDefinition } } } } };
  };
  return pkg.envoy.service.ratelimit.v3.RateLimitService.service;
}

/** The request as proto-loader decodes it (camelCase fields, enums as names). */
export interface WireRateLimitRequest {
  readonly domain: string;
  readonly descriptors: readonly { readonly entries: readonly { readonly key: string; readonly value: string }[] }[];
  readonly hitsAddend: number;
}

export interface WireRateLimitResponse {
  readonly overallCode: 'OK' | 'OVER_LIMIT';
  readonly statuses: readonly {
    readonly code: 'OK' | 'OVER_LIMIT';
    readonly currentLimit?: { readonly requestsPerUnit: number; readonly unit: string };
    readonly limitRemaining: number;
    readonly durationUntilReset?: { readonly seconds: number; readonly nanos: number };
  }[];
}
