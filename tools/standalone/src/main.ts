import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadResources, type Resource } from '@eg/gatewayapi';
import { REPO_ROOT, startStack } from './stack.ts';

// npm start [-- --resources DIR] [-- --nats URL]: the standalone system on this machine.
const { values } = parseArgs({
  options: {
    resources: { type: 'string', default: join(REPO_ROOT, 'examples/quickstart') },
    nats: { type: 'string' },
    'xds-port': { type: 'string', default: '18000' },
    'echo-port': { type: 'string', default: '3000' },
    'log-level': { type: 'string', default: 'warn' },
  },
});

const resourcesDir = resolve(values.resources);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const stack = await startStack({
  resourcesDir,
  ...(values.nats ? { natsUrl: values.nats } : {}),
  xdsPort: Number(values['xds-port']),
  echoBackends: [{ name: 'backend', port: Number(values['echo-port']) }],
  logLevel: values['log-level'],
  output: (name, line) => say(`[${name}] ${line}`),
}).catch((err: unknown) => {
  process.stderr.write(`standalone: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

say('');
say(`Envoy Gateway (standalone) is running. NATS: ${stack.natsUrl}; xDS: 127.0.0.1:${stack.xdsPort}`);
say(`Serving ${resourcesDir} (edit its files; Envoy follows within a second).`);
for (const hint of await curlHints(resourcesDir)) say(`  ${hint}`);
say('Press Ctrl-C to stop every process.');

/** A curl line per HTTP listener and route hostname found in the served folder. */
async function curlHints(dir: string): Promise<string[]> {
  const resources: Resource[] = [];
  for (const name of (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    resources.push(...loadResources(await readFile(join(dir, name), 'utf8'), name).resources);
  }
  const hosts = resources.flatMap((r) => (r.kind === 'HTTPRoute' ? r.spec.hostnames : []));
  const hints: string[] = [];
  for (const r of resources) {
    if (r.kind !== 'Gateway') continue;
    for (const l of r.spec.listeners) {
      if (l.protocol !== 'HTTP') continue;
      const host = hosts.find((h) => !h.startsWith('*')) ?? l.hostname ?? 'www.example.com';
      hints.push(`curl -H 'Host: ${host}' http://127.0.0.1:${l.port}/get`);
    }
  }
  return hints;
}
