import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import type { Resource } from '@eg/gatewayapi';
import {
  eventually,
  freePort,
  startNatsServer,
  startServiceProcess,
  type NatsServerFixture,
  type ServiceProcess,
  waitUntilReady,
} from '@eg/testing';

// The file provider as its own process: a folder of YAML in, one bus entry per object out; bad files are
// reported by name and never take the good ones down.

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: eg
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: default
spec:
  gatewayClassName: eg
  listeners:
    - name: http
      protocol: HTTP
      port: 8888
`;

const route = (name: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs:
    - name: eg
`;

describe('provider (file mode)', () => {
  let nats: NatsServerFixture;
  let bus: Bus;
  let resources: WatchableMap<Resource>;
  let dir: string;
  let provider: ServiceProcess;

  const keys = async (): Promise<string[]> => (await resources.keys()).sort();

  beforeAll(async () => {
    nats = await startNatsServer();
    bus = await connectBus({ servers: nats.url, name: 'provider-test' });
    resources = await bus.map<Resource>('resources');
    dir = await mkdtemp(join(tmpdir(), 'eg-provider-'));
    await writeFile(join(dir, 'gateway.yaml'), gateway);
    await writeFile(join(dir, 'routes.yaml'), route('a'));
    await writeFile(join(dir, 'broken.yaml'), 'kind: HTTPRoute\nmetadata: [oops\n');
    const healthPort = await freePort();
    provider = startServiceProcess(resolve(import.meta.dirname, '../src/main.ts'), [
      '--nats',
      nats.url,
      '--health-port',
      String(healthPort),
      '--resources',
      dir,
    ]);
    await waitUntilReady(healthPort);
  });

  afterAll(async () => {
    await provider?.stop();
    await bus?.close();
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes every valid object and names the bad file in its error', async () => {
    expect(await keys()).toEqual(['Gateway/default/eg', 'GatewayClass/eg', 'HTTPRoute/default/a']);
    const error = provider.logs.find((r) => r.msg === 'invalid resource');
    expect(String(error?.['error'])).toMatch(/^broken\.yaml:\d+: Flow sequence/);
  });

  it('publishes an added object, then removes the objects of a deleted file', async () => {
    await writeFile(join(dir, 'routes.yaml'), `${route('a')}---\n${route('b')}`);
    await eventually(async () => expect(await keys()).toContain('HTTPRoute/default/b'));
    await unlink(join(dir, 'routes.yaml'));
    await eventually(async () => expect(await keys()).toEqual(['Gateway/default/eg', 'GatewayClass/eg']));
  });

  it('keeps serving the last valid version when an edit breaks a file', async () => {
    await writeFile(join(dir, 'routes.yaml'), route('c'));
    await eventually(async () => expect(await keys()).toContain('HTTPRoute/default/c'));
    const errorsBefore = provider.logs.filter((r) => r.msg === 'invalid resource').length;
    await writeFile(join(dir, 'routes.yaml'), `${route('c')}  rules: [broken\n`);
    await provider.waitForLog(
      (r) =>
        r.msg === 'invalid resource' &&
        String(r['error']).startsWith('routes.yaml') &&
        provider.logs.indexOf(r) >= errorsBefore,
    );
    expect(await keys()).toContain('HTTPRoute/default/c');
    expect(provider.child.exitCode).toBeNull();
  });
});
