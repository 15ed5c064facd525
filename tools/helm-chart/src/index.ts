export { findHelm, renderChart, CHART_DIR, type RenderedObject } from './render.ts';
