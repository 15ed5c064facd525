/** Infra IR: what fleet of Envoy proxies one IR key needs. Consumed by infra-manager. */

export interface InfraIR {
  readonly proxy: ProxyInfra;
}

export interface ProxyInfra {
  /** The IR key (`<namespace>/<gateway>`); Envoy's `node.cluster`. */
  readonly name: string;
  /** Namespace the fleet's objects live in (the controller namespace). */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly listeners: readonly ProxyListener[];
}

export interface ProxyListener {
  /** `<namespace>/<gateway>/<listener>` */
  readonly name: string;
  readonly ports: readonly ListenerPort[];
}

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';

export interface ListenerPort {
  readonly name: string;
  readonly protocol: ListenerProtocol;
  /** The Gateway listener port (what the Service exposes). */
  readonly servicePort: number;
  /** The port Envoy binds. */
  readonly containerPort: number;
}
