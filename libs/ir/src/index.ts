export type * from './xds.ts';
export type * from './infra.ts';
export type * from './ratelimit.ts';
export type * from './status.ts';
export * from './xds-status.ts';
export * from './keys.ts';
export { canonicalJSON, contentHash } from './hash.ts';
