import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentOf, decodeEnvelope, encodeInline, encodeReference } from './envelope.ts';
import { BusDecodeError, BusError } from './errors.ts';

describe('envelope', () => {
  it('round-trips data and trace context', async () => {
    const value = { name: 'default/eg', listeners: [{ port: 10080, hostnames: ['*.example.com'] }], n: null };
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'eg=1' };
    const envelope = await decodeEnvelope(await encodeInline(contentOf(value), trace));
    expect(envelope).toEqual({ kind: 'inline', hash: contentOf(value).hash, trace, data: value });
  });

  it('omits an absent trace context', async () => {
    const envelope = await decodeEnvelope(await encodeInline(contentOf('x'), undefined));
    expect(envelope).toEqual({ kind: 'inline', hash: contentOf('x').hash, data: 'x' });
  });

  it('round-trips a reference to a large value', async () => {
    const ref = { name: 'default/eg/123', size: 5_000_000 };
    const envelope = await decodeEnvelope(await encodeReference('h', undefined, ref));
    expect(envelope).toEqual({ kind: 'object', hash: 'h', object: ref });
  });

  it('hashes equal values equally regardless of key order', () => {
    expect(contentOf({ a: 1, b: [1, { c: 2, d: 3 }] }).hash).toBe(contentOf({ b: [1, { d: 3, c: 2 }], a: 1 }).hash);
    expect(contentOf({ a: 1 }).hash).not.toBe(contentOf({ a: 2 }).hash);
  });

  it('compresses repetitive JSON', async () => {
    const value = Array.from({ length: 1000 }, (_, i) => ({ route: `httproute/default/r${i}`, port: 8080 }));
    const content = contentOf(value);
    expect((await encodeInline(content, undefined)).length).toBeLessThan(content.json.length / 5);
  });

  it('rejects values that are not JSON data', () => {
    expect(() => contentOf(undefined)).toThrow(BusError);
  });

  it('rejects bytes that are not an envelope with BusDecodeError', async () => {
    await expect(decodeEnvelope(new TextEncoder().encode('plain'))).rejects.toThrow(BusDecodeError);
    await expect(decodeEnvelope(brotliCompressSync('{"v":2,"hash":"h","data":1}'))).rejects.toThrow(BusDecodeError);
    await expect(decodeEnvelope(brotliCompressSync('{"v":1,"hash":"h"}'))).rejects.toThrow(BusDecodeError);
    await expect(decodeEnvelope(brotliCompressSync('{"v":1,"hash":"h","trace":{},"data":1}'))).rejects.toThrow(
      BusDecodeError,
    );
  });
});
