export { startEchoServer, type EchoServer } from './server.ts';
export type { EchoIdentity, EchoResponse } from './echo.ts';
