import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadResources, translate } from '../src/index.ts';

/**
 * Golden files: `testdata/<case>.in.yaml` -> `<case>.out.yaml` (xDS IR, infra IR, rate-limit IR, statuses and any load
 * errors). Cases named `host-*` translate for Envoy running on the host, the others for Kubernetes.
 * Regenerate with `UPDATE_GOLDEN=1 npx vitest run`, then review the diff.
 */
const TESTDATA = join(import.meta.dirname, 'testdata');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

function render(caseName: string, input: string): string {
  const loaded = loadResources(input, `${caseName}.in.yaml`);
  const result = translate(loaded.resources, { runningOnHost: caseName.startsWith('host-') });
  const output = {
    ...(loaded.errors.length > 0 && { loadErrors: loaded.errors.map((e) => e.message) }),
    xds: Object.fromEntries(result.xds),
    infra: Object.fromEntries(result.infra),
    ...(result.rateLimit.size > 0 && { rateLimit: Object.fromEntries(result.rateLimit) }),
    statuses: result.statuses,
  };
  return stringify(output, { lineWidth: 0, aliasDuplicateObjects: false });
}

const cases = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

describe('golden translations', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const name of cases) {
    it(name, () => {
      const actual = render(name, readFileSync(join(TESTDATA, `${name}.in.yaml`), 'utf8'));
      const outFile = join(TESTDATA, `${name}.out.yaml`);
      if (UPDATE) writeFileSync(outFile, actual);
      expect(actual).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});
