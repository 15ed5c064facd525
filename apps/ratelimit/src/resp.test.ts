import { describe, expect, it } from 'vitest';
import { encodeCommand, RedisReplyError, RespDecoder, RespProtocolError, type RespReply } from './resp.ts';

const decodeAll = (wire: string): RespReply[] => new RespDecoder().push(Buffer.from(wire));

describe('RESP2', () => {
  it('encodes a command as an array of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['INCRBY', 'k', '3'])).toBe('*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$1\r\n3\r\n');
    expect(encodeCommand(['GET', 'é'])).toBe('*2\r\n$3\r\nGET\r\n$2\r\né\r\n');
  });

  it('decodes simple strings, integers, bulk strings, nil and arrays', () => {
    expect(
      decodeAll('+OK\r\n:42\r\n:-1\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n*2\r\n:1\r\n$1\r\nx\r\n*-1\r\n*0\r\n'),
    ).toEqual(['OK', 42, -1, 'hello', null, '', [1, 'x'], null, []]);
  });

  it('keeps CRLF inside a bulk string, reading by its length', () => {
    expect(decodeAll('$4\r\na\r\nb\r\n')).toEqual(['a\r\nb']);
  });

  it('returns error replies as values, so the replies after them still line up', () => {
    const [error, next] = decodeAll('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:7\r\n');
    expect(error).toBeInstanceOf(RedisReplyError);
    expect((error as RedisReplyError).message).toBe(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(next).toBe(7);
  });

  it('decodes the same replies however the bytes are split', () => {
    const wire = Buffer.from(':12\r\n+OK\r\n$3\r\nabc\r\n*2\r\n:1\r\n$-1\r\n-ERR no\r\n');
    const whole = new RespDecoder().push(wire);
    for (let cut = 1; cut < wire.length; cut++) {
      for (const size of [1, 2, 3, 7]) {
        const decoder = new RespDecoder();
        const replies = [...decoder.push(wire.subarray(0, cut))];
        for (let i = cut; i < wire.length; i += size) replies.push(...decoder.push(wire.subarray(i, i + size)));
        expect(replies).toEqual(whole);
        expect(decoder.pending).toBe(0);
      }
    }
  });

  it('holds an incomplete reply until the rest arrives', () => {
    const decoder = new RespDecoder();
    expect(decoder.push(Buffer.from(':1\r\n$5\r\nhel'))).toEqual([1]);
    expect(decoder.pending).toBe(7);
    expect(decoder.push(Buffer.from('lo\r'))).toEqual([]);
    expect(decoder.push(Buffer.from('\n'))).toEqual(['hello']);
  });

  it('refuses bytes that are not RESP2', () => {
    expect(() => decodeAll('?what\r\n')).toThrow(RespProtocolError);
    expect(() => decodeAll(':12x\r\n')).toThrow(RespProtocolError);
    expect(() => decodeAll('$-5\r\n')).toThrow(RespProtocolError);
  });
});
