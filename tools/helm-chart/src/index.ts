export { findHelm, renderChart, CHART_DIR, type RenderedObject } from './render.ts';
export {
  CRD_CHART_DIR,
  CRD_DEFINITIONS,
  crdTemplateFiles,
  customResourceDefinitions,
  type CustomResourceDefinition,
} from './crds/index.ts';
