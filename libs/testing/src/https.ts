import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { CertificatePair } from './certificates.ts';
import type { HttpAnswer } from './http.ts';

export interface HttpsRequestOptions {
  /** SNI and Host header. */
  readonly servername: string;
  /** PEM of the CA the server certificate must chain to. */
  readonly ca: string;
  readonly path?: string;
  /** Offered signature algorithms (OpenSSL names), to steer which certificate the server picks. */
  readonly sigalgs?: string;
  /** A client certificate to present when the server asks for one. */
  readonly clientCertificate?: CertificatePair;
  readonly timeoutMs?: number;
}

export interface HttpsAnswer extends HttpAnswer {
  /** The subjectAltName of the certificate the server presented, e.g. `DNS:a.example.com`. */
  readonly peerSubjectAltName: string;
  /** The type of the server certificate's key (`EC`, `RSA`). */
  readonly peerKeyType: string;
}

/** One HTTPS request to `host:port` with SNI and certificate verification against `ca`. */
export function httpsRequest(host: string, port: number, opts: HttpsRequestOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: opts.path ?? '/',
        servername: opts.servername,
        headers: { host: opts.servername },
        ca: opts.ca,
        agent: false,
        timeout: opts.timeoutMs ?? 5000,
        ...(opts.sigalgs !== undefined && { sigalgs: opts.sigalgs }),
        ...(opts.clientCertificate && { cert: opts.clientCertificate.cert, key: opts.clientCertificate.key }),
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peerSubjectAltName: peer.subjectaltname ?? '',
            peerKeyType: 'asn1Curve' in peer ? 'EC' : 'modulus' in peer ? 'RSA' : 'unknown',
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`HTTPS request to ${opts.servername} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
