// Shared test fixtures: real nats-server, Envoy, echo backends, free ports, child processes.
// Each fixture lives in its own file and is exported here.
export * from './certificates.ts';
export * from './envoy.ts';
export * from './grpc-echo.ts';
export * from './http.ts';
export * from './https.ts';
export * from './nats.ts';
export * from './redis.ts';
export * from './ports.ts';
export * from './service-process.ts';
export * from './udp.ts';
export * from './delta-ads-client.ts';
export * from './otlp.ts';
export * from './kube-apiserver/index.ts';
