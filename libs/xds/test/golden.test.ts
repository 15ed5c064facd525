import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { XdsIR } from '@eg/ir';
import { toJSON, translateXds } from '../src/index.ts';

/**
 * Golden files: `testdata/<case>.ir.yaml` (one xDS IR) -> `<case>.xds.yaml` (the Envoy resources as ProtoJSON).
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run`, then review the diff.
 */
const TESTDATA = join(import.meta.dirname, 'testdata');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const cases = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.ir.yaml'))
  .map((f) => f.slice(0, -'.ir.yaml'.length))
  .sort();

describe('golden xDS translations', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const name of cases) {
    it(name, () => {
      const ir = parse(readFileSync(join(TESTDATA, `${name}.ir.yaml`), 'utf8')) as XdsIR;
      const actual = stringify(toJSON(translateXds(ir)), { lineWidth: 0, aliasDuplicateObjects: false });
      const outFile = join(TESTDATA, `${name}.xds.yaml`);
      if (UPDATE) writeFileSync(outFile, actual);
      expect(actual).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});
