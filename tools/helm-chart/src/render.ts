import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const CHART_DIR = resolve(import.meta.dirname, '../../../deploy/helm/envoy-gateway-ts');

/** The helm binary: $HELM_BIN, then PATH, then where `go install` puts it (tools/setup.sh builds it so). */
export function findHelm(): string | undefined {
  const candidates = [
    process.env['HELM_BIN'],
    ...(process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'helm')),
    join(process.env['GOBIN'] ?? join(process.env['GOPATH'] ?? join(homedir(), 'go'), 'bin'), 'helm'),
  ];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** `helm template` of a chart (the services chart by default) with extra values; the objects it renders, parsed. */
export function renderChart(
  helm: string,
  values: object = {},
  namespace = 'envoy-gateway-system',
  chart = CHART_DIR,
): RenderedObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'eg-chart-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    const text = execFileSync(
      helm,
      ['template', 'eg', chart, '--namespace', namespace, '--kube-version', '1.34.0', '--values', file],
      {
        encoding: 'utf8',
        env: { ...process.env, HELM_CACHE_HOME: dir, HELM_CONFIG_HOME: dir, HELM_DATA_HOME: dir },
      },
    );
    return parseAllDocuments(text)
      .map((d) => d.toJS() as RenderedObject | null)
      .filter((o): o is RenderedObject => o !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
