import { join, resolve } from 'node:path';
import { freePort, startNatsServer, type NatsServerFixture } from '@eg/testing';
import { ManagedProcess } from './managed-process.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export const SERVICE_NAMES = ['provider', 'translator', 'xds-server', 'infra-manager', 'ratelimit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface EchoBackendSpec {
  readonly name: string;
  readonly port: number;
}

export interface StackOptions {
  readonly resourcesDir: string;
  /** Use this NATS instead of starting a local nats-server. */
  readonly natsUrl?: string;
  readonly xdsPort?: number;
  readonly echoBackends?: readonly EchoBackendSpec[];
  readonly output?: (name: string, line: string) => void;
  readonly logLevel?: string;
  /** How long each service may take to become ready (large resource sets take longer); default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Extra environment for every service (e.g. OTEL_* to export traces). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Stack {
  readonly natsUrl: string;
  readonly xdsPort: number;
  readonly services: Readonly<Record<ServiceName, ManagedProcess>>;
  readonly healthPorts: Readonly<Record<ServiceName, number>>;
  stop(): Promise<void>;
}

const nodeScript = (path: string): readonly string[] => [join(REPO_ROOT, path)];

/**
 * Starts the standalone system: nats-server (unless given), the echo backends, and each service as its
 * own OS process, in dependency order, each waited on until `/readyz` answers.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const output = opts.output ?? (() => undefined);
  const started: ManagedProcess[] = [];
  let nats: NatsServerFixture | undefined;
  const stop = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop();
    await nats?.stop();
  };
  try {
    if (!opts.natsUrl) nats = await startNatsServer();
    const natsUrl = opts.natsUrl ?? nats!.url;
    const xdsPort = opts.xdsPort ?? (await freePort());
    const ratelimitPort = await freePort();
    const env = { ...opts.env, LOG_LEVEL: opts.logLevel ?? 'info' };

    for (const echo of opts.echoBackends ?? []) {
      const p = new ManagedProcess(
        {
          name: `echo-${echo.name}`,
          command: process.execPath,
          args: [...nodeScript('tools/echo-backend/src/main.ts'), '--port', String(echo.port), '--name', echo.name],
          readyUrl: `http://127.0.0.1:${echo.port}/health`,
        },
        output,
      );
      started.push(p);
      await p.start();
    }

    const healthPorts = {} as Record<ServiceName, number>;
    for (const name of SERVICE_NAMES) healthPorts[name] = await freePort();
    const common = (name: ServiceName): string[] => ['--nats', natsUrl, '--health-port', String(healthPorts[name])];
    const extra: Record<ServiceName, string[]> = {
      provider: ['--resources', resolve(opts.resourcesDir)],
      translator: ['--running-on-host', '--holder', 'standalone-translator'],
      'xds-server': ['--port', String(xdsPort)],
      'infra-manager': ['--xds-host', '127.0.0.1', '--xds-port', String(xdsPort)],
      ratelimit: ['--grpc-port', String(ratelimitPort)],
    };
    const services = {} as Record<ServiceName, ManagedProcess>;
    for (const name of SERVICE_NAMES) {
      const p = new ManagedProcess(
        {
          name,
          command: process.execPath,
          args: [...nodeScript(`apps/${name}/src/main.ts`), ...common(name), ...extra[name]],
          env,
          readyUrl: `http://127.0.0.1:${healthPorts[name]}/readyz`,
        },
        output,
      );
      services[name] = p;
      started.push(p);
      await p.start(opts.readyTimeoutMs);
    }
    return { natsUrl, xdsPort, services, healthPorts, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
