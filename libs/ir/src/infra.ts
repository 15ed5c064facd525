/** Infra IR: what fleet of Envoy proxies one IR key needs. Consumed by infra-manager. */

export interface InfraIR {
  readonly proxy: ProxyInfra;
}

export interface ProxyInfra {
  /** The IR key (`<namespace>/<gateway>`); Envoy's `node.cluster`. */
  readonly name: string;
  /**
   * The default controller namespace, as Envoy Gateway's IR carries it. The Kubernetes infra-manager places
   * fleets itself (--controller-namespace, --deploy-type), so it does not read this.
   */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly listeners: readonly ProxyListener[];
  /** Addresses the Gateway asks for (`spec.addresses`); the Envoy Service's external IPs. */
  readonly addresses?: readonly string[];
  /** Kubernetes customisation from the EnvoyProxy the Gateway (or its GatewayClass) references. */
  readonly kubernetes?: KubernetesProxyConfig;
  /** Gateway `spec.infrastructure` labels and annotations, for every object of the fleet and its pods. */
  readonly metadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

/** EnvoyProxy `spec.provider.kubernetes`, the parts the Kubernetes infra-manager renders. */
export interface KubernetesProxyConfig {
  readonly deployment?: ProxyWorkload & { readonly replicas?: number };
  /** `envoyDaemonSet`: one Envoy per node instead of a Deployment. */
  readonly daemonSet?: ProxyWorkload;
  readonly service?: {
    readonly type?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
    readonly annotations?: Readonly<Record<string, string>>;
    readonly externalTrafficPolicy?: 'Local' | 'Cluster';
    readonly loadBalancerClass?: string;
    readonly loadBalancerIP?: string;
  };
  readonly hpa?: { readonly minReplicas?: number; readonly maxReplicas: number };
  readonly pdb?: { readonly minAvailable?: number; readonly maxUnavailable?: number };
}

export interface ProxyWorkload {
  readonly pod?: {
    readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
  /** Quantities as written, extended resources (e.g. `tke.cloud.tencent.com/eni-ip`) included. */
  readonly container?: { readonly resources?: ContainerResources };
}

export interface ContainerResources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
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
