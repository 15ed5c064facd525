import { loadResources, type Resource } from '@eg/gatewayapi';
import { CONTROLLER_NAME } from '@eg/ir';
import { stringify } from 'yaml';

/** Where the resources `--add-missing-resources` made up say they come from in messages. */
export const ADDED_SOURCE = '<added by --add-missing-resources>';

/**
 * What a resource set refers to but lacks, made up so it translates on its own: a GatewayClass (ours) for
 * each class a Gateway names, and an HTTP Gateway on port 80 for each Gateway a route's parentRef names.
 */
export function missingResources(resources: readonly Resource[]): Resource[] {
  const classes = new Set(resources.filter((r) => r.kind === 'GatewayClass').map((r) => r.metadata.name));
  const gateways = new Set(
    resources.flatMap((r) => (r.kind === 'Gateway' ? [`${r.metadata.namespace}/${r.metadata.name}`] : [])),
  );
  const docs: object[] = [];
  const addGateway = (namespace: string, name: string, className: string): void => {
    gateways.add(`${namespace}/${name}`);
    docs.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace },
      spec: { gatewayClassName: className, listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
    });
  };
  const defaultClass = [...classes][0] ?? 'eg';
  for (const r of resources) {
    if (r.kind === 'HTTPRoute' || r.kind === 'GRPCRoute') {
      for (const ref of r.spec.parentRefs) {
        const namespace = ref.namespace ?? r.metadata.namespace;
        if (ref.kind === 'Gateway' && !gateways.has(`${namespace}/${ref.name}`)) {
          addGateway(namespace, ref.name, defaultClass);
        }
      }
    }
  }
  const classNames = [
    ...resources.flatMap((r) => (r.kind === 'Gateway' ? [r.spec.gatewayClassName] : [])),
    ...docs.map(() => defaultClass),
  ];
  for (const name of new Set(classNames)) {
    if (classes.has(name)) continue;
    classes.add(name);
    docs.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name },
      spec: { controllerName: CONTROLLER_NAME },
    });
  }
  if (docs.length === 0) return [];
  // Through the loader, so made-up resources get the same defaults as written ones.
  return loadResources(docs.map((d) => stringify(d)).join('---\n'), ADDED_SOURCE).resources;
}
