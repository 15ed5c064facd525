import { request, Agent } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '@eg/standalone';
import { freePort } from '@eg/testing';
import { BENCH_HOST, gatewayYaml, routeFiles } from './resources.ts';

/** A standalone stack serving a temp folder with the bench Gateway, its echo backend and `routes` routes. */
export interface BenchStack {
  readonly stack: Stack;
  readonly dir: string;
  readonly gatewayPort: number;
  write(file: string, yaml: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(routes: number, env: Readonly<Record<string, string>> = {}): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-bench-'));
  const gatewayPort = await freePort();
  const backendPort = await freePort();
  await writeFile(join(dir, 'gateway.yaml'), gatewayYaml(gatewayPort, backendPort));
  for (const [file, yaml] of routeFiles(routes)) await writeFile(join(dir, file), yaml);
  const stack = await startStack({
    resourcesDir: dir,
    echoBackends: [{ name: 'bench', port: backendPort }],
    logLevel: 'warn',
    readyTimeoutMs: 300_000,
    env,
  });
  const bench: BenchStack = {
    stack,
    dir,
    gatewayPort,
    write: (file, yaml) => writeFile(join(dir, file), yaml),
    stop: async () => {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  // Ready once Envoy serves the last route (or, without routes, answers at all).
  const probe = new Prober(gatewayPort);
  const path = routes > 0 ? `/r-${routes - 1}` : '/';
  const deadline = Date.now() + 300_000;
  for (;;) {
    const status = await probe.get(path).catch(() => 0);
    if (routes > 0 ? status === 200 : status === 404) break;
    if (Date.now() > deadline) throw new Error(`Envoy did not serve ${path} within 300 s`);
    await sleep(50);
  }
  probe.close();
  return bench;
}

/** GET requests to the gateway on one keep-alive connection. */
export class Prober {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly port: number;

  constructor(port: number) {
    this.port = port;
  }

  get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, path, agent: this.agent, headers: { host: BENCH_HOST } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
