import { parseArgs } from 'node:util';
import { startEchoServer } from './server.ts';

// Usage: node tools/echo-backend/src/main.ts --port 3000 --name backend-v1 [--namespace default] [--service backend]
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    name: { type: 'string', default: 'echo-backend' },
    namespace: { type: 'string', default: 'default' },
    service: { type: 'string' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port: must be an integer 0-65535, got ${values.port}\n`);
  process.exit(2);
}
const server = await startEchoServer(
  { name: values.name, namespace: values.namespace, service: values.service ?? values.name },
  port,
  values.host,
);
process.stdout.write(JSON.stringify({ msg: 'echo backend listening', port: server.port, name: values.name }) + '\n');
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
