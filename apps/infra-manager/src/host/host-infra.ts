import { rename, writeFile } from 'node:fs/promises';
import type { InfraIR } from '@eg/ir';
import type { Logger } from '@eg/service';
import { EnvoyProcess } from './envoy-process.ts';
import { hashedProxyName } from './proxy-name.ts';

export interface HostInfraOptions {
  readonly binary: string;
  /** Envoy bootstrap for one fleet: node.cluster = IR key, node.id = process name. */
  readonly bootstrapFor: (irKey: string, nodeId: string) => object;
  readonly logLevel: string;
  readonly drainTimeSeconds: number;
  readonly log: Logger;
}

/**
 * Host mode: one Envoy process per IR key on this machine. Listeners arrive over xDS, so a changed
 * infra IR needs no restart; only creation and deletion touch processes.
 */
export class HostInfra {
  private readonly opts: HostInfraOptions;
  private readonly proxies = new Map<string, EnvoyProcess>();

  constructor(opts: HostInfraOptions) {
    this.opts = opts;
  }

  proxy(irKey: string): EnvoyProcess | undefined {
    return this.proxies.get(irKey);
  }

  async createOrUpdate(irKey: string, infra: InfraIR): Promise<void> {
    if (this.proxies.has(irKey)) return;
    // A Gateway without listeners needs no proxy yet (Envoy Gateway skips it as well).
    if (infra.proxy.listeners.length === 0) return;
    const name = hashedProxyName(irKey);
    const proxy = new EnvoyProcess({
      name,
      binary: this.opts.binary,
      bootstrap: this.opts.bootstrapFor(irKey, name),
      logLevel: this.opts.logLevel,
      drainTimeSeconds: this.opts.drainTimeSeconds,
      log: this.opts.log,
    });
    this.proxies.set(irKey, proxy);
    await proxy.start();
  }

  async delete(irKey: string): Promise<void> {
    const proxy = this.proxies.get(irKey);
    if (!proxy) return;
    this.proxies.delete(irKey);
    await proxy.stop();
  }

  /** Records the running proxies and where each writes its admin address, for `egctl config envoy-proxy`. */
  async writeState(path: string): Promise<void> {
    const proxies = [...this.proxies].map(([irKey, p]) => ({
      irKey,
      name: p.name,
      adminAddressPath: p.adminAddressPath,
    }));
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ proxies }, null, 2));
    await rename(temporary, path);
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.keys()].map((k) => this.delete(k)));
  }
}
