import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadResources, type Resource } from '@eg/gatewayapi';
import { REPO_ROOT, startStack, type Stack } from './stack.ts';

// npm start [-- --resources DIR] [-- --nats URL]: the standalone system on this machine.
const { values } = parseArgs({
  options: {
    resources: { type: 'string', default: join(REPO_ROOT, 'examples/quickstart') },
    nats: { type: 'string' },
    'xds-port': { type: 'string', default: '18000' },
    'echo-port': { type: 'string', default: '3000' },
    'log-level': { type: 'string', default: 'warn' },
    /** mTLS between Envoy and the xds-server (as in Kubernetes mode); off by default for a simple local start. */
    mtls: { type: 'boolean', default: false },
    /** Several xds-server processes; Envoy moves to another when one stops. */
    'xds-replicas': { type: 'string', default: '1' },
    /** Global rate-limit counters in Redis (as Envoy Gateway's rateLimit.backend.redis.url); in memory without. */
    'redis-url': { type: 'string', default: process.env['REDIS_URL'] },
    /** Several ratelimit processes sharing the Redis counters. */
    'ratelimit-replicas': { type: 'string', default: '1' },
    /** Deny requests when rate limits cannot be counted; default fail open, as Envoy Gateway. */
    'ratelimit-fail-closed': { type: 'boolean', default: false },
  },
});

const resourcesDir = resolve(values.resources);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const egctl = join(REPO_ROOT, 'apps/egctl/src/main.ts');
const certsDir = values.mtls ? await generateCertificates() : undefined;
// Ctrl-C while the services still start must stop those already running too, not leave them behind.
const starting = new AbortController();
let stack: Stack | undefined = undefined;
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  if (!stack) {
    starting.abort();
    return;
  }
  void stack
    .stop()
    .then(() => (certsDir ? rm(certsDir, { recursive: true, force: true }) : undefined))
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

stack = await startStack({
  signal: starting.signal,
  resourcesDir,
  ...(values.nats ? { natsUrl: values.nats } : {}),
  xdsPort: Number(values['xds-port']),
  echoBackends: [{ name: 'backend', port: Number(values['echo-port']) }],
  logLevel: values['log-level'],
  ...(certsDir && { certsDir }),
  xdsReplicas: Number(values['xds-replicas']),
  ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
  ratelimitReplicas: Number(values['ratelimit-replicas']),
  rateLimitFailClosed: values['ratelimit-fail-closed'],
  output: (name, line) => say(`[${name}] ${line}`),
}).catch(async (err: unknown) => {
  // startStack has stopped what it started; an abort is the user's Ctrl-C, not an error.
  if (certsDir) await rm(certsDir, { recursive: true, force: true });
  if (starting.signal.aborted) process.exit(0);
  process.stderr.write(`standalone: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

await waitForListeners(await gatewayPorts(resourcesDir));
say('');
say(`Envoy Gateway (standalone) is running. NATS: ${stack.natsUrl}; xDS: 127.0.0.1:${stack.xdsPort}`);
say(`Serving ${resourcesDir} (edit its files; Envoy follows within a second).`);
say(`Status: npm run egctl -- x status --nats ${stack.natsUrl}`);
say(
  `Services (/healthz /readyz /metrics /config): ${Object.entries(stack.healthPorts)
    .map(([name, port]) => `${name} http://127.0.0.1:${port}`)
    .join(', ')}`,
);
for (const hint of await curlHints(resourcesDir)) say(`  ${hint}`);
say(
  `Global rate limits: ${stack.ratelimitReplicas.length} ratelimit process(es), counters ${values['redis-url'] ? `in ${values['redis-url']}` : 'in memory (--redis-url redis://HOST:PORT shares them)'}.`,
);
say(`xDS ${certsDir ? `mTLS with the certificates in ${certsDir}` : 'in plaintext (--mtls switches mTLS on)'}.`);
say(`  npm run egctl -- x proxy-status --xds-admin ${stack.xdsAdminPorts.map((p) => `127.0.0.1:${p}`).join(',')}`);
say(`  npm run egctl -- config envoy-proxy route --state-file ${stack.infraStateFile}`);
say('Press Ctrl-C to stop every process.');

/** A fresh CA and certificates from `egctl x certgen`, kept in a temporary folder for this run. */
async function generateCertificates(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-certs-'));
  await promisify(execFile)(process.execPath, [egctl, 'x', 'certgen', '--out-dir', dir]);
  return dir;
}

/** Envoy starts after the services are ready; wait until it accepts connections on the Gateway ports. */
async function waitForListeners(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (Date.now() > deadline) {
        say(`warning: nothing listens on port ${port} yet; check the logs above`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function gatewayPorts(dir: string): Promise<number[]> {
  return (await readResources(dir)).flatMap((r) => (r.kind === 'Gateway' ? r.spec.listeners.map((l) => l.port) : []));
}

async function readResources(dir: string): Promise<Resource[]> {
  const resources: Resource[] = [];
  for (const name of (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    resources.push(...loadResources(await readFile(join(dir, name), 'utf8'), name).resources);
  }
  return resources;
}

/** A curl line per HTTP listener and route hostname found in the served folder. */
async function curlHints(dir: string): Promise<string[]> {
  const resources = await readResources(dir);
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
