import { createSocket } from 'node:dgram';

/** Sends one datagram and resolves with the first answer (UTF-8), or rejects after `timeoutMs`. */
export function udpExchange(host: string, port: number, payload: string, timeoutMs = 2000): Promise<string> {
  const socket = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no UDP answer from ${host}:${port} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('message', (message) => {
      clearTimeout(timer);
      resolve(message.toString('utf8'));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.send(payload, port, host);
  }).finally(() => socket.close());
}
