// RESP2, the Redis wire protocol: commands go out as arrays of bulk strings, replies come back as one of five
// types. Only what the counter store needs; replies are decoded incrementally because TCP splits them anywhere.

/** An error reply (`-ERR ...`): a value, not a thrown error, so one failed command does not hide the others. */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

export type RespReply = string | number | null | RedisReplyError | readonly RespReply[];

/** The server sent bytes that are not RESP2; the connection cannot be trusted any more. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

const CRLF = Buffer.from('\r\n');

/** One command as RESP2: `*<n>\r\n` then `$<len>\r\n<arg>\r\n` per argument. */
export function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Decodes replies from chunks in any split; `push` returns every reply completed by the chunk, in order. */
export class RespDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RespReply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: RespReply[] = [];
    let offset = 0;
    for (;;) {
      const parsed = parseReply(this.buffer, offset);
      if (!parsed) break;
      replies.push(parsed.reply);
      offset = parsed.next;
    }
    this.buffer = this.buffer.subarray(offset);
    return replies;
  }

  /** Bytes received that do not make a whole reply yet. */
  get pending(): number {
    return this.buffer.length;
  }
}

interface Parsed {
  readonly reply: RespReply;
  readonly next: number;
}

/** The reply starting at `offset`, or undefined while it is incomplete. */
function parseReply(buf: Buffer, offset: number): Parsed | undefined {
  if (offset >= buf.length) return undefined;
  const lineEnd = buf.indexOf(CRLF, offset + 1);
  if (lineEnd < 0) return undefined;
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (buf[offset]) {
    case 0x2b: // '+'
      return { reply: line, next: afterLine };
    case 0x2d: // '-'
      return { reply: new RedisReplyError(line), next: afterLine };
    case 0x3a: // ':'
      return { reply: integer(line), next: afterLine };
    case 0x24: {
      // '$'
      const length = integer(line);
      if (length === -1) return { reply: null, next: afterLine };
      if (length < 0) throw new RespProtocolError(`bulk string length ${length}`);
      if (buf.length < afterLine + length + 2) return undefined;
      return { reply: buf.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case 0x2a: {
      // '*'
      const count = integer(line);
      if (count === -1) return { reply: null, next: afterLine };
      if (count < 0) throw new RespProtocolError(`array length ${count}`);
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new RespProtocolError(`unexpected reply type byte 0x${(buf[offset] ?? 0).toString(16)}`);
  }
}

function integer(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`not an integer: ${JSON.stringify(text)}`);
  return Number(text);
}
