import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, udpExchange } from '@eg/testing';
import { startEchoServer, startUdpEchoServer, type EchoServer, type EchoResponse } from '../src/index.ts';

describe('echo backend', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer({ name: 'backend-v1', namespace: 'default', service: 'backend' }, 0);
  });
  afterAll(() => server.close());

  it('describes the request it received', async () => {
    const res = await httpRequest(`http://127.0.0.1:${server.port}/get?a=1&a=2`, {
      host: 'www.example.com',
      headers: { 'x-custom-thing': 'v' },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as EchoResponse;
    expect(body.path).toBe('/get?a=1&a=2');
    expect(body.method).toBe('GET');
    expect(body.host).toBe('www.example.com');
    expect(body.headers['X-Custom-Thing']).toEqual(['v']);
    expect(body.headers['Host']).toBeUndefined();
    expect(body.query['a']).toEqual(['1', '2']);
    expect(body.pod).toBe('backend-v1');
    expect(body.service).toBe('backend');
  });

  it('sets response headers the client asks for', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, {
      headers: { 'X-Echo-Set-Header': 'X-One:1, X-Two: two' },
    });
    expect(res.headers.get('x-one')).toBe('1');
    expect(res.headers.get('x-two')).toBe('two');
  });

  it('fails the first succeedAfter requests of a uuid as asked, then answers', async () => {
    const url = (query: string) => `http://127.0.0.1:${server.port}/retry?${query}`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url('uuid=a&succeedAfter=2&responseCode=503'))).status);
    expect(statuses).toEqual([503, 503, 200]);
    await expect(fetch(url('uuid=b&succeedAfter=1'))).rejects.toThrow();
    expect((await fetch(url('uuid=b&succeedAfter=1'))).status).toBe(200);
    expect((await fetch(url('uuid=a&succeedAfter=2&responseCode=503'))).status).toBe(200);
  });

  it('answers /status/NNN with that status', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/status/418`);
    expect(res.status).toBe(418);
  });

  it('answers UDP datagrams with its identity and the data received', async () => {
    const udp = await startUdpEchoServer({ name: 'udp-v1', namespace: 'default', service: 'foo' }, 0);
    try {
      expect(JSON.parse(await udpExchange('127.0.0.1', udp.port, 'ping'))).toEqual({
        pod: 'udp-v1',
        namespace: 'default',
        service: 'foo',
        data: 'ping',
      });
    } finally {
      await udp.close();
    }
  });

  it('waits ?delay= before answering', async () => {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${server.port}/slow?delay=200ms`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('lists the paths it served at /__requests', async () => {
    await fetch(`http://127.0.0.1:${server.port}/remember-me?x=1`);
    const seen = (await (await fetch(`http://127.0.0.1:${server.port}/__requests`)).json()) as string[];
    expect(seen).toContain('/remember-me?x=1');
  });
});
