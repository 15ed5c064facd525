export * from './resources.ts';
export { loadResources, LoadError, type LoadErrorLocation, type LoadNotice, type LoadResult } from './load.ts';
export { translate, type TranslateOptions, type TranslateResult } from './translate.ts';
