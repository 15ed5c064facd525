import {
  ApiException,
  KubernetesObjectApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '@eg/service';
import { collectionPath, type WatchedKind } from './kinds.ts';

const RESTART_DELAY_MS = 1000;

type KindInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

/**
 * One informer per watched kind: the local copy of the cluster the provider works from. A watch that
 * fails is restarted (client-node relists after 410 Gone by itself); an optional CRD that the server
 * does not serve is skipped with a log line.
 */
export class ClusterCache {
  private readonly informers = new Map<string, KindInformer>();
  private readonly kinds = new Map<string, WatchedKind>();
  private readonly kc: KubeConfig;
  private readonly log: Logger;
  private readonly onChange: (kind: string) => void;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(kc: KubeConfig, log: Logger, onChange: (kind: string) => void) {
    this.kc = kc;
    this.log = log;
    this.onChange = onChange;
  }

  /** Starts every informer and resolves once each has listed its kind. */
  async start(kinds: readonly WatchedKind[]): Promise<void> {
    const objects = KubernetesObjectApi.makeApiClient(this.kc);
    await Promise.all(kinds.map((k) => this.startKind(objects, k)));
  }

  private async startKind(objects: KubernetesObjectApi, k: WatchedKind): Promise<void> {
    if (!(await served(objects, k))) {
      if (!k.optional) throw new MissingKindError(k);
      this.log.info('kind not served by the API server; skipped', { kind: k.kind, apiVersion: k.apiVersion });
      return;
    }
    const informer = makeInformer(
      this.kc,
      collectionPath(k),
      () => objects.list(k.apiVersion, k.kind, undefined, undefined, undefined, undefined, undefined, k.labelSelector),
      k.labelSelector,
    );
    const changed = (): void => this.onChange(k.kind);
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log.warn('watch failed; restarting', { kind: k.kind, err });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped)
          informer.start().catch((e: unknown) => this.log.error('restart failed', { kind: k.kind, err: e }));
      }, RESTART_DELAY_MS);
      this.timers.add(timer);
    });
    this.informers.set(k.kind, informer);
    this.kinds.set(k.kind, k);
    await informer.start();
  }

  /** Objects of a kind, with kind and apiVersion set (list responses leave them out for built-in kinds). */
  list(kind: string): KubernetesObject[] {
    const k = this.kinds.get(kind);
    return (this.informers.get(kind)?.list() ?? []).map((o) => ({ ...o, kind, apiVersion: k!.apiVersion }));
  }

  get(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const o = this.informers.get(kind)?.get(name, namespace);
    return o && { ...o, kind, apiVersion: this.kinds.get(kind)!.apiVersion };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

export class MissingKindError extends Error {
  override readonly name = 'MissingKindError';
  constructor(k: WatchedKind) {
    super(`the API server does not serve ${k.kind} (${k.apiVersion}); install its CRD`);
  }
}

/** Whether discovery lists the kind: a missing CRD answers 404 for its group, or lacks the kind in it. */
async function served(objects: KubernetesObjectApi, k: WatchedKind): Promise<boolean> {
  try {
    await objects.list(k.apiVersion, k.kind, undefined, undefined, undefined, undefined, undefined, undefined, 1);
    return true;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return false;
    if (err instanceof Error && err.message.startsWith('Unrecognized API version and kind')) return false;
    throw err;
  }
}
