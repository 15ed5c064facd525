import { describe, expect, it } from 'vitest';
import { findHelm, renderChart, type RenderedObject } from '../src/index.ts';

// The Helm chart rendered by the real `helm template`: one Deployment per service, the xds-server HPA, NATS
// as a StatefulSet, least-privilege RBAC, and gateway-helm's values meaning the same here.

const helm = findHelm();

interface Container {
  command: string[];
  volumeMounts?: { name: string; mountPath: string }[];
  image: string;
  imagePullPolicy: string;
  args: string[];
  env: { name: string; value?: string }[];
  resources: object;
}
interface PodSpec {
  serviceAccountName: string;
  volumes?: { name: string; secret?: { secretName: string } }[];
  containers: Container[];
  affinity?: object;
  imagePullSecrets?: { name: string }[];
}
type Deployment = RenderedObject & { spec: { replicas?: number; template: { spec: PodSpec } } };

const byKind = (objects: RenderedObject[], kind: string): RenderedObject[] => objects.filter((o) => o.kind === kind);
const deployment = (objects: RenderedObject[], name: string): Deployment =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `eg-${name}`) as Deployment;

describe.skipIf(!helm)('Helm chart (helm template)', () => {
  it('renders one Deployment per service, the xds-server HPA, NATS and the Services Envoy dials', () => {
    const objects = renderChart(helm!);
    expect(
      byKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['eg-infra-manager', 'eg-provider', 'eg-ratelimit', 'eg-translator', 'eg-xds-server']);
    expect(byKind(objects, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual(['eg-xds-server']);
    // With an HPA the Deployment leaves replicas to it.
    expect(deployment(objects, 'xds-server').spec.replicas).toBeUndefined();
    // Envoy reaches the ratelimit service through its Service, as the xds-server tells it.
    expect(JSON.stringify(deployment(objects, 'xds-server').spec)).toContain(
      'grpc://envoy-ratelimit.envoy-gateway-system.svc.cluster.local:18001',
    );
    expect(byKind(objects, 'StatefulSet').map((s) => s.metadata.name)).toEqual(['eg-nats']);
    expect(
      byKind(objects, 'Service')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['eg-nats', 'eg-nats-headless', 'envoy-gateway', 'envoy-ratelimit']);
    // No CRDs in the service chart: they are installed separately.
    expect(byKind(objects, 'CustomResourceDefinition')).toEqual([]);
    expect(objects.every((o) => o.kind.startsWith('Cluster') || o.metadata.namespace === 'envoy-gateway-system')).toBe(
      true,
    );
  });

  it('grants API access only to provider, infra-manager and the certgen hook, each only what it uses', () => {
    const objects = renderChart(helm!);
    const accounts = byKind(objects, 'ServiceAccount') as (RenderedObject & {
      automountServiceAccountToken: boolean;
    })[];
    expect(Object.fromEntries(accounts.map((a) => [a.metadata.name, a.automountServiceAccountToken]))).toEqual({
      'eg-provider': true,
      'eg-translator': false,
      'eg-xds-server': false,
      'eg-infra-manager': true,
      'eg-ratelimit': false,
      'eg-certgen': true,
    });
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    const rules = (kind: string, name: string): Rule[] =>
      (objects.find((o) => o.kind === kind && o.metadata.name === name) as unknown as { rules: Rule[] }).rules;
    const provider = rules('ClusterRole', 'eg-provider-envoy-gateway-system');
    // Cluster-wide the provider reads and writes statuses; it never creates or deletes anything.
    expect(provider.flatMap((r) => r.verbs).filter((v) => ['create', 'delete', '*'].includes(v))).toEqual([]);
    expect(provider.find((r) => r.resources.includes('secrets'))?.verbs).toEqual(['get', 'list', 'watch']);
    const infra = rules('Role', 'eg-infra-manager');
    expect(infra.find((r) => r.resources.includes('daemonsets'))?.verbs).toEqual([
      'get',
      'list',
      'create',
      'patch',
      'delete',
    ]);
    expect(byKind(objects, 'ClusterRoleBinding').map((b) => b.metadata.name)).toEqual([
      'eg-provider-envoy-gateway-system',
    ]);
  });

  it('runs certgen as a pre-install hook and serves xDS over mTLS with its Secrets', () => {
    const objects = renderChart(helm!);
    const job = objects.find((o) => o.kind === 'Job') as RenderedObject & {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: PodSpec } };
    };
    expect(job.metadata.name).toBe('eg-certgen');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install, pre-upgrade');
    const certgen = job.spec.template.spec.containers[0]!;
    expect(certgen.command).toEqual(['/nodejs/bin/node', 'apps/egctl/src/main.ts']);
    expect(certgen.args).toEqual([
      ...['x', 'certgen', '--kubernetes', '--namespace', 'envoy-gateway-system'],
      ...['--cluster-domain', 'cluster.local'],
    ]);
    // The hook's ServiceAccount and rights exist before the Job (lower weight) and only touch Secrets.
    const hookRole = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'eg-certgen') as unknown as {
      metadata: { annotations: Record<string, string> };
      rules: { resources: string[] }[];
    };
    expect(hookRole.rules.flatMap((r) => r.resources)).toEqual(['secrets']);
    expect(Number(hookRole.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(0);

    const xds = deployment(objects, 'xds-server').spec.template.spec;
    expect(xds.volumes).toEqual([{ name: 'certs', secret: { secretName: 'envoy-gateway' } }]);
    expect(xds.containers[0]!.volumeMounts).toEqual([{ name: 'certs', mountPath: '/certs', readOnly: true }]);
    expect(xds.containers[0]!.args.join(' ')).toContain('--tls-dir /certs');
    const infra = deployment(objects, 'infra-manager').spec.template.spec.containers[0]!.args.join(' ');
    expect(infra).toContain('--xds-client-secret envoy');
    expect(infra).toContain('--deploy-type ControllerNamespace');
  });

  it('deploys fleets into Gateway namespaces with cluster-wide infra-manager rights when asked', () => {
    const objects = renderChart(helm!, {
      config: { envoyGateway: { provider: { kubernetes: { deploy: { type: 'GatewayNamespace' } } } } },
    });
    expect(deployment(objects, 'infra-manager').spec.template.spec.containers[0]!.args.join(' ')).toContain(
      '--deploy-type GatewayNamespace',
    );
    const role = objects.find(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === 'eg-infra-manager-envoy-gateway-system',
    );
    expect(JSON.stringify(role)).toContain('secrets');
    expect(objects.some((o) => o.kind === 'Role' && o.metadata.name === 'eg-infra-manager')).toBe(false);
    expect(byKind(objects, 'ClusterRoleBinding').map((b) => b.metadata.name)).toContain(
      'eg-infra-manager-envoy-gateway-system',
    );
  });

  it('takes gateway-helm values: replicas, resources, image, pull secrets, affinity, log level, cluster domain', () => {
    const resources = { limits: { memory: '2Gi' }, requests: { cpu: '250m', memory: '512Mi' } };
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['gw'] }] }],
        },
      },
    };
    const objects = renderChart(helm!, {
      deployment: {
        replicas: 3,
        envoyGateway: {
          image: { repository: 'registry.example.com/eg-ts', tag: 'v9' },
          imagePullPolicy: 'Always',
          imagePullSecrets: [{ name: 'regcred' }],
          resources,
        },
        pod: { affinity },
      },
      config: { envoyGateway: { logging: { level: { default: 'debug' } } } },
      kubernetesClusterDomain: 'corp.local',
    });
    const provider = deployment(objects, 'provider');
    expect(provider.spec.replicas).toBe(3);
    const pod = provider.spec.template.spec;
    expect(pod.affinity).toEqual(affinity);
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    const [container] = pod.containers;
    expect(container?.image).toBe('registry.example.com/eg-ts:v9');
    expect(container?.imagePullPolicy).toBe('Always');
    expect(container?.resources).toEqual(resources);
    expect(container?.env.find((e) => e.name === 'LOG_LEVEL')?.value).toBe('debug');
    expect(container?.args).toContain('nats://eg-nats.envoy-gateway-system.svc.corp.local:4222');
    const infra = deployment(objects, 'infra-manager').spec.template.spec.containers[0]!;
    expect(infra.args).toContain('envoy-gateway.envoy-gateway-system.svc.corp.local');
  });

  it("takes gateway-helm's rateLimit settings: Redis URL, timeout, failClosed; refuses replicas without Redis", () => {
    const args = (objects: RenderedObject[], name: string) =>
      deployment(objects, name).spec.template.spec.containers[0]!.args;
    const memory = renderChart(helm!);
    expect(args(memory, 'ratelimit')).not.toContain('--redis-url');
    expect(args(memory, 'ratelimit')).not.toContain('--failure-mode-deny');
    expect(args(memory, 'xds-server')).not.toContain('--ratelimit-fail-closed');

    const redis = renderChart(helm!, {
      config: {
        envoyGateway: {
          rateLimit: {
            backend: { type: 'Redis', redis: { url: 'redis://redis.db:6379' } },
            timeout: '2s',
            failClosed: true,
          },
        },
      },
      services: { ratelimit: { replicas: 3 } },
    });
    expect(args(redis, 'ratelimit')).toEqual(
      expect.arrayContaining(['--redis-url', 'redis://redis.db:6379', '--failure-mode-deny']),
    );
    expect(args(redis, 'xds-server')).toEqual(
      expect.arrayContaining(['--ratelimit-fail-closed', '--ratelimit-timeout-ms', '2000']),
    );
    expect(deployment(redis, 'ratelimit').spec.replicas).toBe(3);
    const timeout = (value: string) =>
      args(renderChart(helm!, { config: { envoyGateway: { rateLimit: { timeout: value } } } }), 'xds-server');
    expect(timeout('500ms')).toEqual(expect.arrayContaining(['--ratelimit-timeout-ms', '500']));
    expect(() => timeout('2.5ms')).toThrow(/milliseconds/);
    expect(() => timeout('1.5s')).toThrow(/milliseconds \(500ms\) or whole seconds/);

    expect(() => renderChart(helm!, { services: { ratelimit: { replicas: 2 } } })).toThrow(
      /needs config.envoyGateway.rateLimit.backend.redis.url/,
    );
  });
});
