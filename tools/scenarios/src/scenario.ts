import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type Bus, type WatchableMap } from '@eg/bus';
import { resourceKey, type ResourceStatus } from '@eg/ir';
import { startStack, type Stack, type StackOptions } from '@eg/standalone';
import { eventually, freePort } from '@eg/testing';

/** A running standalone system (NATS, the five services, Envoy via infra-manager) fed from a temp folder. */
export interface Scenario {
  readonly dir: string;
  readonly stack: Stack;
  readonly bus: Bus;
  /** Port of each echo backend by name (the name it reports in its answers). */
  readonly backendPorts: Readonly<Record<string, number>>;
  /** Everything the services printed, `[service] line`; print it when a test fails to see why. */
  readonly logs: readonly string[];
  /** Writes (or replaces) one YAML file of the served folder. */
  apply(file: string, yaml: string): Promise<void>;
  remove(file: string): Promise<void>;
  /** The `.status` the translator published for a resource, once there is one. */
  status<T = unknown>(kind: string, namespace: string | undefined, name: string): Promise<T>;
  stop(): Promise<void>;
}

export interface ScenarioOptions {
  /** Echo backends to start, by name; each gets a free port (see backendPorts). */
  readonly backends?: readonly string[];
  /** Extra environment for every service. */
  readonly env?: Readonly<Record<string, string>>;
  /** Global rate limiting: counters in Redis, several ratelimit processes, fail closed (see StackOptions). */
  readonly rateLimit?: Pick<
    StackOptions,
    'redisUrl' | 'ratelimitReplicas' | 'rateLimitFailClosed' | 'rateLimitTimeoutMs'
  >;
}

const running = new Set<Scenario>();

/** The scenarios started and not yet stopped (their logs explain a failed test). */
export function runningScenarios(): readonly Scenario[] {
  return [...running];
}

/** Starts a scenario stack; use once per test file (beforeAll) and stop it in afterAll. */
export async function startScenario(opts: ScenarioOptions = {}): Promise<Scenario> {
  const dir = await mkdtemp(join(tmpdir(), 'eg-scenario-'));
  const backendPorts: Record<string, number> = {};
  for (const name of opts.backends ?? []) backendPorts[name] = await freePort();
  const logs: string[] = [];
  const stack = await startStack({
    resourcesDir: dir,
    echoBackends: Object.entries(backendPorts).map(([name, port]) => ({ name, port })),
    output: (name, line) => logs.push(`[${name}] ${line}`),
    ...(opts.env ? { env: opts.env } : {}),
    // Envoy's 20 ms default deadline for the ratelimit call is missed now and then on a busy machine, and a
    // miss lets the request through as if no limit applied.
    rateLimitTimeoutMs: 2000,
    ...opts.rateLimit,
  });
  const bus = await connectBus({ servers: stack.natsUrl, name: 'scenario-test' });
  const statuses: WatchableMap<ResourceStatus> = await bus.map('status');
  const scenario: Scenario = {
    dir,
    stack,
    bus,
    backendPorts,
    logs,
    apply: (file, yaml) => writeFile(join(dir, file), yaml),
    remove: (file) => unlink(join(dir, file)),
    async status<T>(kind: string, namespace: string | undefined, name: string): Promise<T> {
      const { value } = await eventually(async () => {
        const entry = await statuses.get(resourceKey(kind, namespace, name));
        if (!entry) throw new Error(`no status for ${resourceKey(kind, namespace, name)} yet`);
        return entry.value.status as T;
      });
      return value;
    },
    async stop() {
      running.delete(scenario);
      await bus.close();
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.add(scenario);
  return scenario;
}
