import { createServer } from 'node:http';
import { renderBootstrap, translateXds } from '@eg/xds';
import { freePort, startEnvoy, httpRequest, eventually } from '@eg/testing';
import { startXdsServer } from './src/ads-server.ts';

const backend = createServer((req, res) => res.end(`backend ${req.url}`));
await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
const backendPort = (backend.address() as { port: number }).port;
const server = await startXdsServer({ port: 0, host: '127.0.0.1' });
const listenPort = await freePort();
const md = { kind: 'HTTPRoute', namespace: 'default', name: 'r' };
const ir = { http: [{ name: 'default/eg/http', address: '0.0.0.0', port: listenPort, externalPort: listenPort, hostnames: ['*'], metadata: { kind: 'Gateway', namespace: 'default', name: 'eg' }, routes: [
  { name: 'r0', hostname: '*', pathMatch: { type: 'Prefix', value: '/' }, headerMatches: [], metadata: md, action: { type: 'Forward', destination: { name: 'd0', settings: [{ name: 'd0/backend/0', weight: 1, addressType: 'IP', endpoints: [{ host: '127.0.0.1', port: backendPort }] }] } } } ] }] } as const;
server.cache.setSnapshot('default/eg', translateXds(ir));
const envoy = await startEnvoy({ bootstrap: renderBootstrap({ nodeCluster: 'default/eg', nodeId: 'n1', xdsHost: '127.0.0.1', xdsPort: server.port, adminAddress: '127.0.0.1', adminPort: 0, readinessPort: await freePort() }), logLevel: 'info' });
try {
  const { value, elapsedMs } = await eventually(async () => { const a = await httpRequest(`http://127.0.0.1:${listenPort}/hello`); if (a.status !== 200) throw new Error(String(a.status)); return a; });
  console.log(value.status, value.body, elapsedMs);
  console.log(JSON.stringify(server.status.nodes(), null, 1));
} finally {
  console.log(envoy.logs().split('\n').filter(l => /warn|error|critical/.test(l)).slice(-30).join('\n'));
  await envoy.stop(); await server.close(); backend.close();
}
