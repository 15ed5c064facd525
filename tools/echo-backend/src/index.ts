export { startEchoServer, type EchoServer } from './server.ts';
export type { EchoIdentity, EchoResponse } from './echo.ts';
export { startUdpEchoServer, type UdpEchoResponse, type UdpEchoServer } from './udp.ts';
