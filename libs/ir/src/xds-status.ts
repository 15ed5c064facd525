/** What an xds-server replica reports about one connected Envoy that refused configuration (bucket `xds-status`). */
export interface EnvoyRejection {
  /** The IR key of the Envoy's fleet (its node.cluster): `<namespace>/<gateway>`. */
  readonly irKey: string;
  readonly nodeId: string;
  /** The xds-server replica the Envoy is connected to. */
  readonly replica: string;
  /** Envoy's error_detail message, per refused resource type URL. */
  readonly rejected: Readonly<Record<string, string>>;
}

/** Bus key of one Envoy's rejection entry. */
export function envoyRejectionKey(irKey: string, nodeId: string): string {
  return `${irKey}/${nodeId}`;
}
