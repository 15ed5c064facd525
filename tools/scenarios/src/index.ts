export * from './scenario.ts';
export * from './http-client.ts';
