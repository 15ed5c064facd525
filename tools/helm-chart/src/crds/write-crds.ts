import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_CHART_DIR, crdTemplateFiles } from './index.ts';

// Regenerates the CRDs chart's templates from the definitions (the chart test checks they are current).
for (const [file, text] of crdTemplateFiles()) {
  writeFileSync(join(CRD_CHART_DIR, file), text);
  process.stdout.write(`${join(CRD_CHART_DIR, file)}\n`);
}
