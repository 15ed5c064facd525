import { createSocket } from 'node:dgram';
import type { EchoIdentity } from './echo.ts';

/** What the UDP echo answers each datagram with. */
export interface UdpEchoResponse {
  readonly pod: string;
  readonly namespace: string;
  readonly service: string;
  /** The datagram received, as UTF-8 text. */
  readonly data: string;
}

export interface UdpEchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Answers every datagram with a JSON UdpEchoResponse to its sender; port 0 picks a free port. */
export async function startUdpEchoServer(
  identity: EchoIdentity,
  port: number,
  host = '127.0.0.1',
): Promise<UdpEchoServer> {
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const answer: UdpEchoResponse = {
      pod: identity.name,
      namespace: identity.namespace,
      service: identity.service,
      data: message.toString('utf8'),
    };
    socket.send(JSON.stringify(answer), remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
