import type { WatchableMap } from '@eg/bus';
import { envoyRejectionKey, type EnvoyRejection } from '@eg/ir';
import type { Logger } from '@eg/service';
import type { Node } from '@eg/xds';

/**
 * Publishes which Envoys refuse configuration to the `xds-status` bucket, one key per Envoy, so the translator
 * can put a condition on their Gateway. Writes go one at a time, in the order the NACKs and ACKs happened.
 */
export class RejectionPublisher {
  private readonly map: WatchableMap<EnvoyRejection>;
  private readonly replica: string;
  private readonly log: Logger;
  private queue = Promise.resolve();

  constructor(map: WatchableMap<EnvoyRejection>, replica: string, log: Logger) {
    this.map = map;
    this.replica = replica;
    this.log = log;
  }

  /** Records what `node` refuses now; an empty record removes its entry. */
  update(node: Node, rejected: Readonly<Record<string, string>>): void {
    const key = envoyRejectionKey(node.cluster, node.id);
    const write: () => Promise<unknown> =
      Object.keys(rejected).length === 0
        ? () => this.map.delete(key)
        : () => this.map.put(key, { irKey: node.cluster, nodeId: node.id, replica: this.replica, rejected });
    this.queue = this.queue.then(write).then(
      () => undefined,
      (err: unknown) => this.log.error('cannot publish Envoy rejections', { key, err }),
    );
  }

  /** Resolves once every update so far is written. */
  flushed(): Promise<void> {
    return this.queue;
  }
}
