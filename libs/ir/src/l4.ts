/** The L4 part of the xDS IR: TCP listeners (plain TCP, TLS passthrough) and UDP listeners. */
import type { TLSTerminate } from './tls.ts';
import type { RouteDestination, SourceMetadata } from './xds.ts';

export interface TCPListener {
  /** `<namespace>/<gateway>/<listener>` */
  readonly name: string;
  readonly address: string;
  /** Port Envoy binds (the container port). */
  readonly port: number;
  readonly externalPort: number;
  /** TLS mode Terminate: Envoy terminates TLS with these certificates and proxies the plaintext bytes. */
  readonly tls?: TLSTerminate;
  /**
   * Routes chosen by the client's SNI (`snis`: TLSRoutes), and at most one route without `snis` that takes
   * every other connection (a TCPRoute). Listeners sharing a port share one Envoy listener.
   */
  readonly routes: readonly TCPRoute[];
  readonly metadata: SourceMetadata;
}

export interface TCPRoute {
  /** `tcproute/<ns>/<name>` or `tlsroute/<ns>/<name>/<hostname>` */
  readonly name: string;
  /** TLS passthrough: the SNI names this route takes (`*.example.com` allowed); absent for plain TCP. */
  readonly snis?: readonly string[];
  readonly destination: RouteDestination;
  readonly metadata: SourceMetadata;
}

export interface UDPListener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly externalPort: number;
  /** UDP has no per-datagram selector: one route per listener (the oldest attached). */
  readonly route?: UDPRoute;
  readonly metadata: SourceMetadata;
}

export interface UDPRoute {
  /** `udproute/<ns>/<name>` */
  readonly name: string;
  readonly destination: RouteDestination;
  readonly metadata: SourceMetadata;
}
