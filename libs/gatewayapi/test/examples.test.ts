import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResources, translate } from '../src/index.ts';

/**
 * Every shipped example (examples/<name>/*.yaml, what SCENARIOS.md's users write) loads without errors and
 * translates with every condition healthy, in the mode it is written for. The scenario tests
 * send traffic through them; this catches an example that drifts from what the translator accepts.
 */
const EXAMPLES = join(import.meta.dirname, '../../../examples');
/** Condition types whose healthy value is False. */
const HEALTHY_WHEN_FALSE = new Set(['Conflicted']);
/** Examples for Kubernetes mode (the others use loopback `Backend`s, which Kubernetes mode refuses). */
const KUBERNETES = new Set(['kubernetes', 'tke', 'multi-cluster']);
/** What an example leaves to its user, as its header says. */
const EXPECTED_UNHEALTHY: Readonly<Record<string, readonly string[]>> = {
  // The user makes the HTTPS listener's Secret (tools/scenarios/test/l4.test.ts makes one).
  'l4-l7/gateway.yaml': [
    'Gateway default/eg.listeners[1]: Programmed=False (Invalid)',
    'Gateway default/eg.listeners[1]: ResolvedRefs=False (InvalidCertificateRef)',
  ],
};

const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(EXAMPLES, d.name))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `${d.name}/${f}`),
  )
  .sort();

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
}

/** Every condition of a status, wherever the kind keeps them (top level, listeners, route parents, policy ancestors). */
function conditionsOf(status: unknown, where: string): { where: string; condition: Condition }[] {
  if (Array.isArray(status)) return status.flatMap((s, i) => conditionsOf(s, `${where}[${i}]`));
  if (typeof status !== 'object' || status === null) return [];
  return Object.entries(status).flatMap(([key, value]) =>
    key === 'conditions' && Array.isArray(value)
      ? (value as Condition[]).map((condition) => ({ where, condition }))
      : conditionsOf(value, `${where}.${key}`),
  );
}

describe('shipped examples', () => {
  it('has examples', () => expect(examples.length).toBeGreaterThan(5));

  for (const file of examples) {
    const runningOnHost = !KUBERNETES.has(file.split('/')[0]!);
    it(`${file} (${runningOnHost ? 'host' : 'kubernetes'})`, () => {
      const loaded = loadResources(readFileSync(join(EXAMPLES, file), 'utf8'), file);
      expect(loaded.errors.map((e) => e.message)).toEqual([]);
      const result = translate(loaded.resources, { runningOnHost });
      expect(result.xds.size).toBeGreaterThan(0);
      const unhealthy = result.statuses
        .flatMap((s) => conditionsOf(s.status, `${s.kind} ${s.namespace ?? ''}/${s.name}`))
        .filter(({ condition: c }) => (c.status === 'True') === HEALTHY_WHEN_FALSE.has(c.type))
        .map(({ where, condition: c }) => `${where}: ${c.type}=${c.status} (${c.reason})`);
      expect(unhealthy).toEqual(EXPECTED_UNHEALTHY[file] ?? []);
    });
  }

  it('renders examples/tke for Gateway default/eg exactly as the infra-manager test applies it', () => {
    const infraOf = (path: string) =>
      translate(loadResources(readFileSync(path, 'utf8'), path).resources, { runningOnHost: false }).infra.get(
        'default/eg',
      );
    const example = infraOf(join(EXAMPLES, 'tke/tke.yaml'));
    expect(example).toBeDefined();
    expect(example).toEqual(infraOf(join(import.meta.dirname, 'testdata/envoyproxy-tke.in.yaml')));
  });
});
