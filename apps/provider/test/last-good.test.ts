import { describe, expect, it } from 'vitest';
import { describeResource } from '@eg/gatewayapi';
import { loadFile, loadFolder } from '../src/file/last-good.ts';
import { isResourceFile } from '../src/file/read-folder.ts';
import { mergeFiles } from '../src/resource-set.ts';

const route = (name: string, path: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs:
    - name: eg
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: ${path}
`;

const invalidRoute = (name: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs:
    - name: eg
  rules:
    - matches:
        - path:
            type: Prefixy
            value: /x
`;

const paths = (state: ReturnType<typeof loadFile>): string[] =>
  state.resources.map(
    (r) =>
      `${describeResource(r)} ${JSON.stringify(((r as { spec?: unknown }).spec as { rules: unknown[] }).rules[0])}`,
  );

describe('loadFile', () => {
  it('serves the valid documents of a new file and reports the invalid one with file and line', () => {
    const state = loadFile('routes.yaml', `${route('a', '/a')}---\n${invalidRoute('b')}`, undefined);
    expect(state.resources.map(describeResource)).toEqual(['HTTPRoute default/a']);
    expect(state.errors).toHaveLength(1);
    expect(state.errors[0]!.message).toMatch(
      /^routes\.yaml:\d+: HTTPRoute default\/b: spec\.rules\[0\]\.matches\[0\]\.path\.type/,
    );
  });

  it('keeps the previous valid version of an object whose edit is invalid', () => {
    const before = loadFile('routes.yaml', `${route('a', '/a')}---\n${route('b', '/b')}`, undefined);
    const after = loadFile('routes.yaml', `${route('a', '/a2')}---\n${invalidRoute('b')}`, before);
    expect(after.errors).toHaveLength(1);
    const served = paths(after);
    expect(served).toHaveLength(2);
    expect(served.find((s) => s.startsWith('HTTPRoute default/a'))).toContain('/a2');
    expect(served.find((s) => s.startsWith('HTTPRoute default/b'))).toContain('/b');
  });

  it('drops an object that was removed from the file even while another object is invalid', () => {
    const before = loadFile('routes.yaml', `${route('a', '/a')}---\n${route('b', '/b')}`, undefined);
    const after = loadFile('routes.yaml', invalidRoute('b'), before);
    expect(after.resources.map(describeResource)).toEqual(['HTTPRoute default/b']);
  });

  it('keeps everything a file served while its text cannot be parsed at all', () => {
    const before = loadFile('routes.yaml', `${route('a', '/a')}---\n${route('b', '/b')}`, undefined);
    const after = loadFile('routes.yaml', 'kind: [unclosed', before);
    expect(after.errors.length).toBeGreaterThan(0);
    expect(after.resources.map(describeResource).sort()).toEqual(['HTTPRoute default/a', 'HTTPRoute default/b']);
  });

  it('serves a new SecurityPolicy it cannot translate as refused (its routes fail closed), an edited one as before', () => {
    const policy = (extra: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: jwt, namespace: default }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: a }]
  jwt: { providers: [{ name: a, remoteJWKS: { uri: "https://a.example.com/jwks" } }] }
${extra}`;
    const spec = (state: ReturnType<typeof loadFile>) =>
      JSON.stringify(state.resources.map((r) => (r as { spec?: unknown }).spec));
    const fresh = loadFile('policy.yaml', policy('  basicAuth: { users: { name: htpasswd } }\n'), undefined);
    expect(fresh.errors.map((e) => e.detail)).toEqual(['is not supported yet (only jwt and cors are translated)']);
    expect(spec(fresh)).toContain(
      '"refused":["spec.basicAuth: is not supported yet (only jwt and cors are translated)"]',
    );
    const good = loadFile('policy.yaml', policy(''), undefined);
    const edited = loadFile('policy.yaml', policy('  basicAuth: { users: { name: htpasswd } }\n'), good);
    expect(edited.errors).toHaveLength(1);
    expect(spec(edited)).toBe(spec(good));
  });

  it('forgets kept versions once the file is valid again', () => {
    const before = loadFile('routes.yaml', route('a', '/a'), undefined);
    const broken = loadFile('routes.yaml', 'kind: [unclosed', before);
    const fixed = loadFile('routes.yaml', route('c', '/c'), broken);
    expect(fixed.errors).toEqual([]);
    expect(fixed.resources.map(describeResource)).toEqual(['HTTPRoute default/c']);
  });
});

describe('loadFolder and mergeFiles', () => {
  it('drops files that disappeared and reports objects defined twice, keeping the first file', () => {
    const first = loadFolder(
      new Map([
        ['a.yaml', route('same', '/from-a')],
        ['b.yaml', route('same', '/from-b')],
        ['c.yaml', route('c', '/c')],
      ]),
      new Map(),
    );
    const merged = mergeFiles(first);
    expect([...merged.resources.keys()].sort()).toEqual(['HTTPRoute/default/c', 'HTTPRoute/default/same']);
    expect(JSON.stringify(merged.resources.get('HTTPRoute/default/same'))).toContain('/from-a');
    expect(merged.duplicates).toEqual(['b.yaml: HTTPRoute default/same is already defined in another file']);

    const second = loadFolder(new Map([['c.yaml', route('c', '/c')]]), first);
    expect(second.get('c.yaml')).toBe(first.get('c.yaml')); // unchanged text: not parsed again
    expect([...mergeFiles(second).resources.keys()]).toEqual(['HTTPRoute/default/c']);
  });
});

describe('isResourceFile', () => {
  it('reads YAML and JSON files, never hidden files or editor backups', () => {
    expect(['a.yaml', 'b.yml', 'c.json'].every(isResourceFile)).toBe(true);
    expect(['.a.yaml', 'a.yaml~', 'a.yaml.swp', 'README.md'].some(isResourceFile)).toBe(false);
  });
});
