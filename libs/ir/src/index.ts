export type * from './xds.ts';
export type * from './l4.ts';
export type * from './tls.ts';
export type * from './http-features.ts';
export type * from './infra.ts';
export type * from './ratelimit.ts';
export type * from './status.ts';
export * from './keys.ts';
export { canonicalJSON, contentHash } from './hash.ts';
