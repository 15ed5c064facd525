import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  /** mTLS between Envoy and the xds-server with the certificates of `egctl x certgen --out-dir DIR`; plaintext without. */
  readonly certsDir?: string;
  /** How many xds-server processes to run (default 1); every Envoy's bootstrap lists them all. */
  readonly xdsReplicas?: number;
  /** How long each service may take to become ready (large resource sets take longer); default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Aborting it stops the start: what was started is stopped in order and startStack rejects. */
  readonly signal?: AbortSignal;
  /** Extra environment for every service (e.g. OTEL_* to export traces). */
  readonly env?: Readonly<Record<string, string>>;
  /** Global rate-limit counters in this Redis (`redis://host:port`), shared by the ratelimit replicas. */
  readonly redisUrl?: string;
  /** How many ratelimit processes to run (default 1; more need `redisUrl`); Envoy balances over them all. */
  readonly ratelimitReplicas?: number;
  /** Deny requests when rate limits cannot be counted (Envoy's failure_mode_deny); default fail open. */
  readonly rateLimitFailClosed?: boolean;
  /** How long Envoy waits for the ratelimit service; Envoy's 20 ms by default, which a busy machine can miss. */
  readonly rateLimitTimeoutMs?: number;
}

export interface RatelimitReplica {
  readonly grpcPort: number;
  readonly healthPort: number;
}

/** Options that contradict each other. */
export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
}

export interface Stack {
  readonly natsUrl: string;
  readonly xdsPort: number;
  readonly services: Readonly<Record<ServiceName, ManagedProcess>>;
  readonly healthPorts: Readonly<Record<ServiceName, number>>;
  /** The xds-servers' admin APIs (`egctl x proxy-status --xds-admin 127.0.0.1:PORT,...`). */
  readonly xdsAdminPorts: readonly number[];
  /** The infra-manager's record of its proxies (`egctl config envoy-proxy --state-file FILE`). */
  readonly infraStateFile: string;
  /** Each ratelimit process's gRPC and health ports; replica 0 is `services.ratelimit`, the others `ratelimit-<i>`. */
  readonly ratelimitReplicas: readonly RatelimitReplica[];
  stop(): Promise<void>;
}

const nodeScript = (path: string): readonly string[] => [join(REPO_ROOT, path)];

/**
 * Starts the standalone system: nats-server (unless given), the echo backends, and each service as its
 * own OS process, in dependency order, each waited on until `/readyz` answers.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const ratelimitReplicas = Math.max(1, opts.ratelimitReplicas ?? 1);
  // In-memory counters are per process: replicas would each allow the whole limit.
  if (ratelimitReplicas > 1 && !opts.redisUrl) {
    throw new StackConfigError('several ratelimit replicas need a Redis to share their counters (redisUrl)');
  }
  const output = opts.output ?? (() => undefined);
  const started: ManagedProcess[] = [];
  let nats: NatsServerFixture | undefined;
  const infraStateFile = join(tmpdir(), `eg-infra-state-${process.pid}.json`);
  const launch = async (p: ManagedProcess): Promise<void> => {
    opts.signal?.throwIfAborted();
    started.push(p);
    await p.start(opts.readyTimeoutMs, opts.signal);
  };
  const stop = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop();
    await nats?.stop();
    await rm(infraStateFile, { force: true });
  };
  try {
    if (!opts.natsUrl) nats = await startNatsServer();
    const natsUrl = opts.natsUrl ?? nats!.url;
    const xdsPort = opts.xdsPort ?? (await freePort());
    const healthPorts = {} as Record<ServiceName, number>;
    for (const name of SERVICE_NAMES) healthPorts[name] = await freePort();
    const ratelimit: RatelimitReplica[] = [];
    for (let i = 0; i < ratelimitReplicas; i++) {
      ratelimit.push({ grpcPort: await freePort(), healthPort: i === 0 ? healthPorts.ratelimit : await freePort() });
    }
    // Replica 0 is `xds-server` (its ADS port is xdsPort); the others are `xds-server-<i>`.
    const replicas = await Promise.all(
      Array.from({ length: Math.max(1, opts.xdsReplicas ?? 1) }, async (_, i) => ({
        port: i === 0 ? xdsPort : await freePort(),
        adminPort: await freePort(),
        healthPort: await freePort(),
      })),
    );
    const ratelimitArgs = (port: number): string[] => [
      ...['--grpc-port', String(port)],
      ...(opts.redisUrl ? ['--redis-url', opts.redisUrl] : []),
      ...(opts.rateLimitFailClosed ? ['--failure-mode-deny'] : []),
    ];
    const xdsArgs = (r: { port: number; adminPort: number }): string[] => [
      ...['--port', String(r.port), '--admin-port', String(r.adminPort)],
      // Envoy asks the local ratelimit processes for Global limits.
      ...['--ratelimit-url', ratelimit.map((r) => `grpc://127.0.0.1:${r.grpcPort}`).join(',')],
      ...(opts.rateLimitFailClosed ? ['--ratelimit-fail-closed'] : []),
      ...(opts.rateLimitTimeoutMs ? ['--ratelimit-timeout-ms', String(opts.rateLimitTimeoutMs)] : []),
      ...(certs ? ['--tls-dir', join(certs, 'envoy-gateway')] : []),
    ];
    const certs = opts.certsDir;
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
      await launch(p);
    }

    const common = (name: ServiceName): string[] => ['--nats', natsUrl, '--health-port', String(healthPorts[name])];
    const extra: Record<ServiceName, string[]> = {
      provider: ['--resources', resolve(opts.resourcesDir)],
      translator: ['--running-on-host', '--holder', 'standalone-translator'],
      'xds-server': xdsArgs(replicas[0]!),
      'infra-manager': [
        ...['--xds-host', '127.0.0.1', '--xds-port', String(xdsPort), '--state-file', infraStateFile],
        ...[
          '--xds-servers',
          replicas
            .slice(1)
            .map((r) => `127.0.0.1:${r.port}`)
            .join(','),
        ],
        ...(certs ? ['--xds-tls-dir', join(certs, 'envoy')] : []),
      ],
      ratelimit: ratelimitArgs(ratelimit[0]!.grpcPort),
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
      await launch(p);
      if (name === 'ratelimit') {
        for (const [i, r] of ratelimit.entries()) {
          if (i === 0) continue;
          const replica = new ManagedProcess(
            {
              name: `ratelimit-${i}`,
              command: process.execPath,
              args: [
                ...nodeScript('apps/ratelimit/src/main.ts'),
                ...['--nats', natsUrl, '--health-port', String(r.healthPort)],
                ...ratelimitArgs(r.grpcPort),
              ],
              env,
              readyUrl: `http://127.0.0.1:${r.healthPort}/readyz`,
            },
            output,
          );
          await launch(replica);
        }
      }
      if (name !== 'xds-server') continue;
      for (const [i, r] of replicas.entries()) {
        if (i === 0) continue;
        const replica = new ManagedProcess(
          {
            name: `xds-server-${i}`,
            command: process.execPath,
            args: [
              ...nodeScript('apps/xds-server/src/main.ts'),
              ...['--nats', natsUrl, '--health-port', String(r.healthPort)],
              ...xdsArgs(r),
            ],
            env,
            readyUrl: `http://127.0.0.1:${r.healthPort}/readyz`,
          },
          output,
        );
        await launch(replica);
      }
    }
    const xdsAdminPorts = replicas.map((r) => r.adminPort);
    return {
      natsUrl,
      xdsPort,
      services,
      healthPorts,
      xdsAdminPorts,
      infraStateFile,
      ratelimitReplicas: ratelimit,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
