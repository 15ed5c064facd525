import { parseArgs } from 'node:util';
import { startEchoServer } from './server.ts';
import { startUdpEchoServer, type UdpEchoServer } from './udp.ts';

// Usage: node tools/echo-backend/src/main.ts --port 3000 --name backend-v1 [--namespace default] [--service backend]
//        [--udp-port 6000]   also answer UDP datagrams on that port
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    name: { type: 'string', default: 'echo-backend' },
    namespace: { type: 'string', default: 'default' },
    service: { type: 'string' },
    'udp-port': { type: 'string' },
  },
});
function portOption(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`--${name}: must be an integer 0-65535, got ${text}\n`);
    process.exit(2);
  }
  return value;
}
const port = portOption('port', values.port);
const identity = { name: values.name, namespace: values.namespace, service: values.service ?? values.name };
const server = await startEchoServer(identity, port, values.host);
let udp: UdpEchoServer | undefined;
if (values['udp-port'] !== undefined) {
  udp = await startUdpEchoServer(identity, portOption('udp-port', values['udp-port']), values.host);
}
process.stdout.write(
  JSON.stringify({ msg: 'echo backend listening', port: server.port, udpPort: udp?.port, name: values.name }) + '\n',
);
const stop = (): void => void Promise.all([server.close(), udp?.close()]).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
