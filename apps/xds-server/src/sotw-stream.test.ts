import { describe, expect, it } from 'vitest';
import { TYPE_URLS } from '@eg/xds';
import { FakeSotwEnvoy, NODE } from '../test/fake-envoy.ts';
import { fake, fleet } from '../test/fake-resources.ts';
import { XdsStatusRegistry } from './node-status.ts';
import { SnapshotCache } from './snapshot-cache.ts';

/** An Envoy that connected and holds `fleet({ a: '1' })`. */
function connected(): { status: XdsStatusRegistry; envoy: FakeSotwEnvoy } {
  const status = new XdsStatusRegistry();
  const envoy = new FakeSotwEnvoy({ cache: new SnapshotCache(), status });
  envoy.connect();
  envoy.serve(fleet({ a: '1' }));
  envoy.drainLog();
  return { status, envoy };
}

describe('SotwStream', () => {
  it('sends whole sets, clusters and endpoints before listeners and routes', () => {
    const envoy = new FakeSotwEnvoy({ cache: new SnapshotCache(), status: new XdsStatusRegistry() });
    envoy.connect();
    expect(envoy.serve(fleet({ a: '1', b: '1' }))).toEqual([
      'Cluster a,b',
      'ClusterLoadAssignment a,b',
      'Listener l',
      'RouteConfiguration l',
    ]);
    expect(envoy.serve(fleet({ a: '1', b: '2' }))).toEqual(['Cluster a,b', 'ClusterLoadAssignment a,b']);
  });

  it('sends the endpoints of an updated cluster again, as Envoy warms it anew', () => {
    const { status, envoy } = connected();
    const log = envoy.serve({ ...fleet({ a: '1' }), clusters: [fake(TYPE_URLS.cluster, 'a', '2')] });
    expect(log).toEqual(['Cluster a', 'ClusterLoadAssignment a']);
    expect(status.nodes()[0]?.types[TYPE_URLS.cluster]).toEqual({ accepted: { a: '2' } });
  });

  it('keeps resources that go away until their replacements are acknowledged', () => {
    const { envoy } = connected();
    expect(envoy.serve(fleet({ b: '1' }, 'r2'))).toEqual([
      'Cluster a,b',
      'ClusterLoadAssignment a,b',
      'RouteConfiguration l',
      'Cluster b',
    ]);
  });

  it('gives equal sets equal versions on every server and records what Envoy acknowledged', () => {
    const served = [connected(), connected()].map(({ status, envoy }) => {
      envoy.serve(fleet({ a: '2' }));
      return { status, version: envoy.responses.find((r) => r.typeUrl === TYPE_URLS.cluster)?.versionInfo };
    });
    expect(served[0]?.version).toMatch(/^[0-9a-f]{16}$/);
    expect(served[0]?.version).toBe(served[1]?.version);
    expect(served[0]?.status.nodes()[0]).toMatchObject({
      protocol: 'sotw',
      types: { [TYPE_URLS.cluster]: { accepted: { a: '2' } } },
    });
  });

  it('records a NACK and does not send the refused set again', () => {
    const { status, envoy } = connected();
    envoy.reject = (typeUrl) => (typeUrl === TYPE_URLS.route ? 'bad route' : undefined);
    expect(envoy.serve(fleet({ a: '1' }, 'r2'))).toEqual(['RouteConfiguration l']);
    expect(status.nodes()[0]?.types[TYPE_URLS.route]).toEqual({
      accepted: { l: 'r1' },
      rejected: { message: 'bad route', versions: { l: 'r2' } },
    });
    expect(envoy.serve(fleet({ a: '2' }, 'r2'))).toEqual(['Cluster a', 'ClusterLoadAssignment a']);
  });

  it('ignores a request that answers an older response', () => {
    const cache = new SnapshotCache();
    const envoy = new FakeSotwEnvoy({ cache, status: new XdsStatusRegistry() });
    cache.setSnapshot(NODE.cluster, fleet({ a: '1' }));
    envoy.connect();
    expect(envoy.drainLog()).toEqual(['Cluster a']);
    // A stale NACK must neither count as the answer to the response in flight nor change the subscription.
    envoy.request(TYPE_URLS.cluster, { responseNonce: 'old', errorDetail: { code: 3, message: 'stale' } });
    envoy.converge();
    expect(envoy.drainLog()).toEqual(['ClusterLoadAssignment a', 'Listener l', 'RouteConfiguration l']);
  });
});
