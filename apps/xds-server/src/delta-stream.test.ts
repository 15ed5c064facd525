import { describe, expect, it } from 'vitest';
import { TYPE_URLS } from '@eg/xds';
import { FakeDeltaEnvoy, NODE } from '../test/fake-envoy.ts';
import { fake, fleet } from '../test/fake-resources.ts';
import { DeltaStream } from './delta-stream.ts';
import { XdsProtocolError } from './errors.ts';
import { XdsStatusRegistry } from './node-status.ts';
import { SnapshotCache } from './snapshot-cache.ts';

function setup(ackTimeoutMs?: number): { cache: SnapshotCache; status: XdsStatusRegistry; envoy: FakeDeltaEnvoy } {
  const cache = new SnapshotCache();
  const status = new XdsStatusRegistry();
  return { cache, status, envoy: new FakeDeltaEnvoy({ cache, status, ...(ackTimeoutMs && { ackTimeoutMs }) }) };
}

/** An Envoy that connected and holds `fleet({ a: '1' })`. */
function connected(): ReturnType<typeof setup> {
  const context = setup();
  context.envoy.connect();
  context.envoy.serve(fleet({ a: '1' }));
  context.envoy.drainLog();
  return context;
}

describe('DeltaStream', () => {
  it('sends clusters and endpoints before listeners and routes', () => {
    const { cache, envoy } = setup();
    cache.setSnapshot(NODE.cluster, fleet({ a: '1' }));
    envoy.connect();
    expect(envoy.drainLog()).toEqual(['Cluster a@1']);
    envoy.converge();
    expect(envoy.drainLog()).toEqual(['ClusterLoadAssignment a@1', 'Listener l@l1', 'RouteConfiguration l@r1']);
  });

  it('sends only the resources that changed', () => {
    const { envoy } = connected();
    expect(envoy.serve(fleet({ a: '2' }))).toEqual(['Cluster a@2', 'ClusterLoadAssignment a@2']);
    expect(envoy.serve(fleet({ a: '2' }, 'r2'))).toEqual(['RouteConfiguration l@r2']);
  });

  it('sends the endpoints of an updated cluster again, as Envoy warms it anew', () => {
    const { status, envoy } = connected();
    const log = envoy.serve({ ...fleet({ a: '1' }), clusters: [fake(TYPE_URLS.cluster, 'a', '2')] });
    expect(log).toEqual(['Cluster a@2', 'ClusterLoadAssignment a@1']);
    expect(status.nodes()[0]?.types[TYPE_URLS.cluster]).toEqual({ accepted: { a: '2' } });
  });

  it('removes what is gone only after its replacements are acknowledged', () => {
    const { envoy } = connected();
    // Envoy unsubscribes from a's endpoints when the cluster goes, so those need no removal.
    expect(envoy.serve(fleet({ b: '1' }, 'r2'))).toEqual([
      'Cluster b@1',
      'ClusterLoadAssignment b@1',
      'RouteConfiguration l@r2',
      'Cluster -a',
    ]);
  });

  it('records the versions Envoy acknowledged', () => {
    const { status } = connected();
    const [node] = status.nodes(NODE.cluster);
    expect(node).toMatchObject({ node: NODE, protocol: 'delta' });
    expect(node?.types[TYPE_URLS.cluster]).toEqual({ accepted: { a: '1' } });
    expect(node?.types[TYPE_URLS.route]).toEqual({ accepted: { l: 'r1' } });
  });

  it('records a NACK, never re-sends the refused version, and keeps what the refused config replaces', () => {
    const { status, envoy } = connected();
    envoy.reject = (typeUrl) => (typeUrl === TYPE_URLS.route ? 'invalid regex' : undefined);
    expect(envoy.serve(fleet({ b: '1' }, 'r2'))).toEqual([
      'Cluster b@1',
      'ClusterLoadAssignment b@1',
      'RouteConfiguration l@r2',
    ]);
    expect(status.nodes()[0]?.types[TYPE_URLS.route]).toEqual({
      accepted: { l: 'r1' },
      rejected: { message: 'invalid regex', versions: { l: 'r2' } },
    });
    // An unrelated change goes out; the refused route is not repeated and cluster a stays.
    expect(envoy.serve(fleet({ b: '2' }, 'r2'))).toEqual(['Cluster b@2', 'ClusterLoadAssignment b@2']);
    envoy.reject = () => undefined;
    expect(envoy.serve(fleet({ b: '2' }, 'r3'))).toEqual(['RouteConfiguration l@r3', 'Cluster -a']);
    expect(status.nodes()[0]?.types[TYPE_URLS.route]).toEqual({ accepted: { l: 'r3' } });
  });

  it('serves a new Envoy the last acknowledged snapshot while the current one stands refused', () => {
    const { cache, status, envoy } = connected();
    envoy.reject = (typeUrl) => (typeUrl === TYPE_URLS.route ? 'invalid regex' : undefined);
    envoy.serve(fleet({ a: '1' }, 'r2'));
    const late = new FakeDeltaEnvoy({ cache, status });
    late.connect();
    late.converge();
    expect(late.drainLog()).toEqual([
      'Cluster a@1',
      'ClusterLoadAssignment a@1',
      'Listener l@l1',
      'RouteConfiguration l@r1',
    ]);
    // The next snapshot is served to everyone again.
    expect(late.serve(fleet({ a: '1' }, 'r3'))).toEqual(['RouteConfiguration l@r3']);
  });

  it('serves secrets by name over SDS, and a rotated certificate without touching the listener', () => {
    const { cache, envoy } = setup();
    const withSecret = (version: string) => ({
      ...fleet({ a: '1' }),
      secrets: [fake(TYPE_URLS.secret, 'cert', version)],
    });
    cache.setSnapshot(NODE.cluster, withSecret('1'));
    envoy.connect();
    envoy.request(TYPE_URLS.secret, { resourceNamesSubscribe: ['cert'] });
    envoy.converge();
    const log = envoy.drainLog();
    expect(log).toContain('Secret cert@1');
    expect(log.indexOf('Secret cert@1')).toBeLessThan(log.indexOf('Listener l@l1'));
    expect(envoy.serve(withSecret('2'))).toEqual(['Secret cert@2']);
  });

  it('still removes everything when the snapshot is deleted after a NACK', () => {
    const { envoy } = connected();
    envoy.reject = (typeUrl) => (typeUrl === TYPE_URLS.route ? 'invalid regex' : undefined);
    envoy.serve(fleet({ a: '1' }, 'r2'));
    expect(envoy.serve(undefined)).toEqual(['Listener -l', 'Cluster -a']);
  });

  it('does not re-send what a reconnecting Envoy already holds', () => {
    const { status, envoy } = setup();
    envoy.connect({ [TYPE_URLS.cluster]: { a: '1', b: '0', gone: '1' } });
    expect(status.nodes()[0]?.types[TYPE_URLS.cluster]).toEqual({ accepted: { a: '1', b: '0', gone: '1' } });
    expect(envoy.serve(fleet({ a: '1', b: '1' }))).toEqual([
      'Cluster b@1',
      'ClusterLoadAssignment b@1',
      'Listener l@l1',
      'RouteConfiguration l@r1',
      'Cluster -gone',
    ]);
  });

  it('answers a wildcard subscription even when there is nothing to serve', () => {
    const { envoy } = setup();
    envoy.connect();
    expect(envoy.serve({ listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] })).toEqual([
      'Cluster',
      'Listener',
    ]);
  });

  it('tells Envoy that a resource it asks for by name does not exist', () => {
    const { envoy } = connected();
    envoy.request(TYPE_URLS.endpoint, { resourceNamesSubscribe: ['missing'] });
    envoy.converge();
    expect(envoy.drainLog()).toEqual(['ClusterLoadAssignment -missing']);
  });

  it('waits for the first snapshot, and removes everything when the snapshot is deleted', () => {
    const { envoy } = setup();
    envoy.connect();
    expect(envoy.drainLog()).toEqual([]);
    envoy.serve(fleet({ a: '1' }));
    expect(envoy.serve(undefined)).toEqual(['Listener -l', 'Cluster -a']);
  });

  it('moves on when a response is never answered', async () => {
    const { cache, envoy } = setup(20);
    cache.setSnapshot(NODE.cluster, fleet({ a: '1' }));
    envoy.connect();
    expect(envoy.drainLog()).toEqual(['Cluster a@1']);
    await new Promise((r) => setTimeout(r, 60));
    expect(envoy.drainLog()).toEqual(['Listener l@l1']);
  });

  it('ends a stream whose first request has no node', () => {
    const stream = new DeltaStream({
      streamId: 1,
      cache: new SnapshotCache(),
      status: new XdsStatusRegistry(),
      send: () => undefined,
      fail: () => undefined,
      ackTimeoutMs: 1000,
    });
    const request = {
      typeUrl: TYPE_URLS.cluster,
      resourceNamesSubscribe: [],
      resourceNamesUnsubscribe: [],
      initialResourceVersions: {},
      responseNonce: '',
    };
    expect(() => stream.onRequest(request)).toThrow(XdsProtocolError);
  });
});
