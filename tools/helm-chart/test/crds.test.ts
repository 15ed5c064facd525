import { readFileSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_TYPES, resourceTypesFromCrds, startKubeApiServer, type KubeApiServer } from '@eg/testing';
import { WATCHED_KINDS } from '../../../apps/provider/src/kubernetes/kinds.ts';
import {
  CRD_CHART_DIR,
  crdTemplateFiles,
  customResourceDefinitions,
  findHelm,
  renderChart,
  type CustomResourceDefinition,
} from '../src/index.ts';

// The CRDs chart: generated from tools/helm-chart/src/crds, structurally valid, exactly the kinds the
// provider watches, rendered the same by `helm template`, and servable by the API-server emulator.

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const helm = findHelm();
const crds = customResourceDefinitions();
const SERVED_GROUPS = new Set(['gateway.networking.k8s.io', 'gateway.envoyproxy.io']);

type Node = Readonly<Record<string, unknown>>;

/** The apiextensions rules for a structural schema; returns the paths that break them. */
function structuralProblems(schema: Node, path: string): string[] {
  const problems: string[] = [];
  const typed = typeof schema['type'] === 'string' || schema['x-kubernetes-int-or-string'] === true;
  if (!typed) problems.push(`${path}: no type`);
  if (schema['properties'] && schema['additionalProperties'])
    problems.push(`${path}: properties and additionalProperties`);
  if (schema['type'] === 'array' && !schema['items']) problems.push(`${path}: array without items`);
  if (schema['x-kubernetes-list-type'] === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] as string[];
    const items = schema['items'] as Node;
    const required = (items['required'] as string[] | undefined) ?? [];
    for (const key of keys) if (!required.includes(key)) problems.push(`${path}: list map key ${key} not required`);
  }
  for (const [key, child] of Object.entries((schema['properties'] as Record<string, Node> | undefined) ?? {})) {
    problems.push(...structuralProblems(child, `${path}.${key}`));
  }
  for (const req of (schema['required'] as string[] | undefined) ?? []) {
    if (!(schema['properties'] as Node | undefined)?.[req]) problems.push(`${path}: required ${req} not declared`);
  }
  if (schema['items']) problems.push(...structuralProblems(schema['items'] as Node, `${path}[]`));
  if (typeof schema['additionalProperties'] === 'object') {
    problems.push(...structuralProblems(schema['additionalProperties'] as Node, `${path}{}`));
  }
  return problems;
}

const storage = (crd: CustomResourceDefinition) => crd.spec.versions.find((v) => v.storage)!;

/**
 * What an API server would do to a value under a schema: fields it would prune (not declared, no
 * preserve-unknown-fields) and values it would reject (type, enum, required). CEL and formats are left out.
 */
function admissionProblems(value: unknown, schema: Node, path: string): string[] {
  if (schema['x-kubernetes-int-or-string'] === true) {
    return typeof value === 'number' || typeof value === 'string' ? [] : [`${path}: not an int or string`];
  }
  const problems: string[] = [];
  const type = schema['type'];
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type !== actual && !(type === 'number' && actual === 'integer')) return [`${path}: ${actual}, want ${type}`];
  const allowed = schema['enum'] as unknown[] | undefined;
  if (allowed && !allowed.includes(value)) problems.push(`${path}: ${String(value)} not in ${allowed.join('|')}`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => problems.push(...admissionProblems(item, schema['items'] as Node, `${path}[${i}]`)));
  } else if (type === 'object') {
    const fields = value as Record<string, unknown>;
    const properties = schema['properties'] as Record<string, Node> | undefined;
    const additional = schema['additionalProperties'] as Node | undefined;
    for (const req of (schema['required'] as string[] | undefined) ?? []) {
      if (fields[req] === undefined) problems.push(`${path}.${req}: required`);
    }
    for (const [key, child] of Object.entries(fields)) {
      const childSchema = properties?.[key] ?? additional;
      if (childSchema) problems.push(...admissionProblems(child, childSchema, `${path}.${key}`));
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true && path !== '')
        problems.push(`${path}.${key}: would be pruned`);
    }
  }
  return problems;
}

/** Every Gateway API and Envoy Gateway resource in the examples and the EnvoyProxy test data. */
function exampleResources(): { file: string; doc: Record<string, unknown> }[] {
  const root = resolve(import.meta.dirname, '../../..');
  const files = [
    ...readdirSync(join(root, 'examples'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(root, 'examples', f)),
    join(root, 'libs/gatewayapi/test/testdata/envoyproxy-tke.in.yaml'),
  ];
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as Record<string, unknown> | null)
      .filter((doc): doc is Record<string, unknown> => SERVED_GROUPS.has(String(doc?.['apiVersion']).split('/')[0]!))
      .map((doc) => ({ file, doc })),
  );
}

describe('CRDs chart', () => {
  it('is generated from the definitions in tools/helm-chart/src/crds (UPDATE_GOLDEN=1 rewrites it)', () => {
    for (const [file, text] of crdTemplateFiles()) {
      const path = join(CRD_CHART_DIR, file);
      if (UPDATE) writeFileSync(path, text);
      expect(readFileSync(path, 'utf8'), file).toBe(text);
    }
  });

  it('holds valid, structural CRDs: names, one storage version, object schemas, status subresource', () => {
    for (const crd of crds) {
      const { spec } = crd;
      const id = crd.metadata.name;
      expect(id).toBe(`${spec.names.plural}.${spec.group}`);
      expect(spec.names.singular).toBe(spec.names.kind.toLowerCase());
      expect(spec.names.listKind).toBe(`${spec.names.kind}List`);
      expect(['Namespaced', 'Cluster']).toContain(spec.scope);
      expect(spec.names.categories.length, id).toBeGreaterThan(0);
      expect(
        spec.versions.filter((v) => v.storage).map((v) => v.served),
        id,
      ).toEqual([true]);
      for (const version of spec.versions) {
        const schema = version.schema.openAPIV3Schema as Node;
        expect(schema['type'], id).toBe('object');
        expect(structuralProblems(schema, `${id}/${version.name}`)).toEqual([]);
        const properties = schema['properties'] as Record<string, Node>;
        expect(properties['spec']?.['type'], id).toBe('object');
        // A status field is written through the status subresource, never with the spec.
        expect(version.subresources !== undefined, id).toBe(properties['status'] !== undefined);
        expect(version.additionalPrinterColumns.map((c) => c.name)).toContain('Age');
        for (const column of version.additionalPrinterColumns) expect(column.jsonPath.startsWith('.')).toBe(true);
      }
    }
    // Short names are unique across the chart.
    const shortNames = crds.flatMap((c) => c.spec.names.shortNames ?? []);
    expect(new Set(shortNames).size).toBe(shortNames.length);
  });

  it('defines exactly the Gateway API and Envoy Gateway kinds the provider watches, at the versions it watches', () => {
    const watched = WATCHED_KINDS.filter((k) => SERVED_GROUPS.has(k.apiVersion.split('/')[0]!))
      .map((k) => `${k.apiVersion} ${k.kind} ${k.plural} ${k.namespaced ? 'Namespaced' : 'Cluster'}`)
      .sort();
    const defined = crds
      .map((c) => `${c.spec.group}/${storage(c).name} ${c.spec.names.kind} ${c.spec.names.plural} ${c.spec.scope}`)
      .sort();
    expect(defined).toEqual(watched);
  });

  it('keeps every field of the examples: nothing pruned, nothing rejected', () => {
    const examples = exampleResources();
    expect(examples.length).toBeGreaterThan(20);
    const problems = examples.flatMap(({ file, doc }) => {
      const [group, version] = String(doc['apiVersion']).split('/');
      const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === doc['kind']);
      const served = crd?.spec.versions.find((v) => v.name === version);
      if (!served) return [`${file}: ${String(doc['apiVersion'])} ${String(doc['kind'])} is not served`];
      const { metadata: _, status: __, ...rest } = doc;
      return admissionProblems(rest, served.schema.openAPIV3Schema as Node, '').map((p) => `${file}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  describe.skipIf(!helm)('rendered by helm template', () => {
    it('renders every CRD by default, and only the Envoy Gateway ones with crds.gatewayAPI.enabled=false', () => {
      const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }) =>
        a.metadata.name.localeCompare(b.metadata.name);
      const all = renderChart(helm!, {}, 'envoy-gateway-system', CRD_CHART_DIR);
      expect(all.sort(byName)).toEqual([...crds].sort(byName));
      const egOnly = renderChart(helm!, { crds: { gatewayAPI: { enabled: false } } }, 'x', CRD_CHART_DIR);
      expect(egOnly.map((o) => o.metadata.name)).toEqual(
        crds.filter((c) => c.spec.group === 'gateway.envoyproxy.io').map((c) => c.metadata.name),
      );
    });
  });

  describe('registered with the API-server emulator', () => {
    let api: KubeApiServer;
    let custom: CustomObjectsApi;

    beforeAll(async () => {
      api = await startKubeApiServer({ types: [...CORE_TYPES, ...resourceTypesFromCrds(crds)] });
      const kc = new KubeConfig();
      kc.loadFromString(api.kubeconfig);
      custom = kc.makeApiClient(CustomObjectsApi);
    });
    afterAll(() => api?.stop());

    it('serves every kind, with status written through the status subresource where the CRD has one', async () => {
      for (const crd of crds) {
        const { group, names, scope } = crd.spec;
        const version = storage(crd).name;
        const body = {
          apiVersion: `${group}/${version}`,
          kind: names.kind,
          metadata: { name: 'one', ...(scope === 'Namespaced' && { namespace: 'default' }) },
          spec: {},
        };
        const target = { group, version, plural: names.plural, name: 'one' };
        if (scope === 'Namespaced') {
          await custom.createNamespacedCustomObject({
            group,
            version,
            plural: names.plural,
            namespace: 'default',
            body,
          });
          const got = (await custom.getNamespacedCustomObject({ ...target, namespace: 'default' })) as Node;
          expect((got['metadata'] as Node)['name']).toBe('one');
        } else {
          await custom.createClusterCustomObject({ group, version, plural: names.plural, body });
          const got = (await custom.getClusterCustomObject(target)) as Node;
          expect((got['metadata'] as Node)['name']).toBe('one');
        }
        if (!storage(crd).subresources) continue;
        const status = { conditions: [] };
        const written = (
          scope === 'Namespaced'
            ? await custom.replaceNamespacedCustomObjectStatus({
                ...target,
                namespace: 'default',
                body: { ...body, status },
              })
            : await custom.replaceClusterCustomObjectStatus({ ...target, body: { ...body, status } })
        ) as Node;
        expect(written['status'], crd.metadata.name).toEqual(status);
      }
    });
  });
});
