import type { InfraIR, KubernetesProxyConfig } from '@eg/ir';
import type { FleetPlacement } from './placement.ts';

export interface FleetOptions {
  readonly placement: FleetPlacement;
  /** Envoy image, e.g. `docker.io/envoyproxy/envoy:distroless-v1.36.2`. */
  readonly image: string;
  /** Envoy bootstrap for the fleet (node.cluster = IR key); written to the ConfigMap. */
  readonly bootstrap: object;
  readonly logLevel: string;
  readonly drainTimeSeconds: number;
  /** mTLS to the xds-server: Envoy's client certificate and the SDS files that name its paths. */
  readonly xdsTls?: FleetXdsTls;
}

export interface FleetXdsTls {
  /** The Secret (ca.crt, tls.crt, tls.key) mounted at CERTS_DIR; in the fleet's namespace. */
  readonly secretName: string;
  /** File name -> SDS JSON, written to the ConfigMap and mounted at SDS_DIR. */
  readonly sdsFiles: Readonly<Record<string, object>>;
}

/** Where Envoy finds its client certificate and the SDS files (Envoy Gateway's paths). */
export const CERTS_DIR = '/certs';
export const SDS_DIR = '/sds';

/** A Kubernetes object as applied: plain JSON with the fields this manager owns. */
export interface AppliedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

export interface Fleet {
  readonly serviceAccount: AppliedObject;
  readonly configMap: AppliedObject;
  /** A Deployment, or a DaemonSet when the EnvoyProxy asks for one. */
  readonly workload: AppliedObject;
  readonly service: AppliedObject;
  readonly hpa?: AppliedObject;
  readonly pdb?: AppliedObject;
}

/** Envoy Gateway's default container resources for Envoy. */
const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '512Mi' } };
const METRICS_PORT = 19001;
const READINESS_PORT = 19003;

/** Labels selecting a fleet's pods: Envoy Gateway's proxy labels plus the owning Gateway's. */
export function fleetLabels(infra: InfraIR): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'app.kubernetes.io/managed-by': 'envoy-gateway',
    ...infra.proxy.labels,
  };
}

/**
 * The objects one Gateway's fleet consists of, rendered from its infra IR. Only fields this manager owns
 * are set, so server-side apply leaves everything else (a cloud controller's annotations, an HPA's
 * replicas) to whoever set it.
 */
export function renderFleet(infra: InfraIR, opts: FleetOptions): Fleet {
  const { proxy } = infra;
  const config: KubernetesProxyConfig = proxy.kubernetes ?? {};
  const { name, namespace } = opts.placement;
  const labels = fleetLabels(infra);
  // The Gateway's spec.infrastructure labels and annotations go on every object and pod; they never join the
  // selector (immutable on a Deployment), and the fleet's own labels win a clash.
  const extraLabels = proxy.metadata?.labels ?? {};
  const extraAnnotations = proxy.metadata?.annotations ?? {};
  const metadata = {
    name,
    namespace,
    labels: { ...extraLabels, ...labels },
    ...(Object.keys(extraAnnotations).length > 0 && { annotations: extraAnnotations }),
  };
  const ports = proxy.listeners.flatMap((l) => l.ports);
  const protocol = (p: (typeof ports)[number]): 'TCP' | 'UDP' => (p.protocol === 'UDP' ? 'UDP' : 'TCP');
  const deployment = config.daemonSet ?? config.deployment ?? {};
  const replicas = config.daemonSet || config.hpa ? {} : { replicas: config.deployment?.replicas ?? 1 };
  const service = config.service ?? {};
  const serviceType = service.type ?? 'LoadBalancer';
  const tls = opts.xdsTls;
  const sdsData = Object.fromEntries(Object.entries(tls?.sdsFiles ?? {}).map(([f, sds]) => [f, JSON.stringify(sds)]));
  const onlyKeys = (keys: string[]) => keys.map((key) => ({ key, path: key }));

  const fleet: Fleet = {
    serviceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata,
      data: { 'bootstrap.json': JSON.stringify(opts.bootstrap), ...sdsData },
    },
    workload: {
      apiVersion: 'apps/v1',
      kind: config.daemonSet ? 'DaemonSet' : 'Deployment',
      metadata,
      spec: {
        // With an HPA the replicas belong to it: leaving the field out keeps this manager from resetting it.
        ...replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels: { ...extraLabels, ...deployment.pod?.labels, ...labels },
            annotations: {
              ...extraAnnotations,
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(METRICS_PORT),
              'prometheus.io/path': '/stats/prometheus',
              ...deployment.pod?.annotations,
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: opts.drainTimeSeconds + 30,
            containers: [
              {
                name: 'envoy',
                image: opts.image,
                command: ['envoy'],
                args: [
                  ...['-c', '/etc/envoy/bootstrap.json', '--service-cluster', proxy.name],
                  ...['--service-node', '$(ENVOY_POD_NAME)', '--log-level', opts.logLevel],
                  ...['--drain-time-s', String(opts.drainTimeSeconds), '--drain-strategy', 'immediate'],
                ],
                env: [
                  { name: 'ENVOY_POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
                  {
                    name: 'ENVOY_POD_NAMESPACE',
                    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  },
                ],
                ports: [
                  ...ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: protocol(p) })),
                  { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                ],
                readinessProbe: {
                  httpGet: { path: '/ready', port: READINESS_PORT, scheme: 'HTTP' },
                  periodSeconds: 5,
                  failureThreshold: 1,
                },
                // Stop taking new connections, then give open ones the drain time before SIGTERM.
                lifecycle: { preStop: { sleep: { seconds: opts.drainTimeSeconds } } },
                resources: deployment.container?.resources ?? DEFAULT_RESOURCES,
                volumeMounts: [
                  { name: 'bootstrap', mountPath: '/etc/envoy', readOnly: true },
                  ...(tls
                    ? [
                        { name: 'certs', mountPath: CERTS_DIR, readOnly: true },
                        { name: 'sds', mountPath: SDS_DIR, readOnly: true },
                      ]
                    : []),
                ],
              },
            ],
            volumes: [
              { name: 'bootstrap', configMap: { name, items: onlyKeys(['bootstrap.json']) } },
              ...(tls
                ? [
                    { name: 'certs', secret: { secretName: tls.secretName } },
                    { name: 'sds', configMap: { name, items: onlyKeys(Object.keys(sdsData)) } },
                  ]
                : []),
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        ...metadata,
        ...(service.annotations && { annotations: { ...extraAnnotations, ...service.annotations } }),
      },
      spec: {
        type: serviceType,
        selector: labels,
        ports: ports.map((p) => ({
          name: p.name,
          port: p.servicePort,
          targetPort: p.containerPort,
          protocol: protocol(p),
        })),
        ...(serviceType !== 'ClusterIP' && { externalTrafficPolicy: service.externalTrafficPolicy ?? 'Local' }),
        ...(service.loadBalancerClass && { loadBalancerClass: service.loadBalancerClass }),
        ...(service.loadBalancerIP && { loadBalancerIP: service.loadBalancerIP }),
        ...(proxy.addresses && { externalIPs: proxy.addresses }),
      },
    },
    ...(config.hpa && {
      hpa: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: config.hpa.minReplicas ?? 1,
          maxReplicas: config.hpa.maxReplicas,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          ],
        },
      },
    }),
    ...(config.pdb && {
      pdb: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata,
        spec: { selector: { matchLabels: labels }, ...config.pdb },
      },
    }),
  };
  return fleet;
}
