import { eventually, httpRequest, type HttpAnswer } from '@eg/testing';

/** The echo backend's JSON answer (the fields scenario tests look at). */
export interface EchoAnswer {
  readonly path: string;
  readonly host: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly pod: string;
}

export interface GatewayAnswer extends HttpAnswer {
  /** The echo JSON when a backend answered, otherwise undefined. */
  readonly echo?: EchoAnswer;
}

export interface GatewayRequest {
  readonly host: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends requests to one gateway port, as curl would (redirects are not followed). */
export class GatewayClient {
  readonly port: number;

  constructor(port: number) {
    this.port = port;
  }

  async send(path: string, request: GatewayRequest): Promise<GatewayAnswer> {
    const answer = await httpRequest(`http://127.0.0.1:${this.port}${path}`, {
      host: request.host,
      ...(request.method !== undefined && { method: request.method }),
      ...(request.headers !== undefined && { headers: request.headers }),
    });
    return { ...answer, ...(isEcho(answer) && { echo: JSON.parse(answer.body) as EchoAnswer }) };
  }

  /** Polls until `expectation` holds for the answer to `path` (configuration reaches Envoy asynchronously). */
  async until(path: string, request: GatewayRequest, expectation: (a: GatewayAnswer) => void): Promise<GatewayAnswer> {
    const { value } = await eventually(
      async () => {
        const answer = await this.send(path, request);
        expectation(answer);
        return answer;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return value;
  }
}

function isEcho(answer: HttpAnswer): boolean {
  return String(answer.headers['content-type'] ?? '').startsWith('application/json') && answer.body.startsWith('{');
}

/** The GatewayClass `eg` of this controller, as a YAML document with its separator. */
export const GATEWAY_CLASS_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
`;

/** A GatewayClass and a Gateway with one HTTP listener allowing routes from every namespace. */
export function gatewayYAML(opts: { name: string; namespace: string; port: number; listener?: string }): string {
  return `${GATEWAY_CLASS_YAML}apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${opts.name}, namespace: ${opts.namespace} }
spec:
  gatewayClassName: eg
  listeners:
    - name: ${opts.listener ?? 'http'}
      protocol: HTTP
      port: ${opts.port}
      allowedRoutes: { namespaces: { from: All } }
`;
}

/** An Envoy Gateway Backend for a local echo backend. */
export function backendYAML(name: string, namespace: string, port: number): string {
  return `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  endpoints: [{ ip: { address: 127.0.0.1, port: ${port} } }]
`;
}
