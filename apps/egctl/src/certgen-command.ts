import { parseArgs } from 'node:util';
import { DEFAULT_NAMESPACE } from '@eg/ir';
import { UsageError } from './errors.ts';
import { generateCertificates } from './issue-certificates.ts';

export const CERTGEN_USAGE = `Usage: egctl x certgen --out-dir DIR [--namespace NS] [--cluster-domain DOMAIN] [--days N]
       egctl x certgen --kubernetes [--kubeconfig FILE] [--namespace NS] [--overwrite] [...]

Creates the CA and the mTLS certificates between Envoy, the xds-server and the rate-limit service, in
Envoy Gateway's layout: DIR/{envoy-gateway,envoy,envoy-rate-limit}/{ca.crt,tls.crt,tls.key}. The CA key
stays in DIR/ca/ca.key; running the command again re-issues every certificate from the same CA, so a
rotation never breaks trust. Files are replaced atomically, so watchers never read half a file.
With --kubernetes they become TLS Secrets of those names in NS instead (the Helm chart's certgen Job);
existing Secrets are kept unless --overwrite, which re-issues all three from a new CA.
  --namespace NS            where the control plane runs (default envoy-gateway-system)
  --kubeconfig FILE         default $KUBECONFIG, ~/.kube/config or the pod's service account
  --cluster-domain DOMAIN   default cluster.local
  --days N                  validity of the certificates (default 365; the CA gets ten times as long)`;

export async function runCertgen(args: readonly string[]): Promise<string> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        'out-dir': { type: 'string' },
        namespace: { type: 'string' },
        'cluster-domain': { type: 'string' },
        days: { type: 'string' },
        kubernetes: { type: 'boolean', default: false },
        kubeconfig: { type: 'string', default: process.env['KUBECONFIG'] },
        overwrite: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const outDir = values['out-dir'];
  if (values.kubernetes === (outDir !== undefined)) throw new UsageError('give either --out-dir DIR or --kubernetes');
  if (values.overwrite && !values.kubernetes) throw new UsageError('--overwrite goes with --kubernetes');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    throw new UsageError('--days must be a positive integer');
  const common = {
    ...(values['cluster-domain'] && { clusterDomain: values['cluster-domain'] }),
    ...(days && { days }),
  };
  if (values.kubernetes) {
    // Loaded only here: the Kubernetes client would slow every other egctl command's start.
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { writeCertificateSecrets } = await import('./certgen-secrets.ts');
    const kc = new KubeConfig();
    if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
    else kc.loadFromDefault();
    const outcomes = await writeCertificateSecrets({
      ...common,
      kc,
      namespace: values.namespace ?? DEFAULT_NAMESPACE,
      overwrite: values.overwrite,
    });
    return [...outcomes].map(([name, outcome]) => `secret/${name} ${outcome}\n`).join('');
  }
  const written = await generateCertificates({
    outDir: outDir!,
    ...(values.namespace && { namespace: values.namespace }),
    ...common,
  });
  return written.map((dir) => `${dir}\n`).join('');
}
