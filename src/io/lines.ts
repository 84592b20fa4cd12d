import type { Readable } from 'node:stream';

/**
 * A run of complete lines cut from a byte stream: line `first + i` (1-based) is
 * `bufs[i].subarray(starts[i], ends[i])`. Lines are kept as offsets into the chunk they came in,
 * so splitting allocates no per-line objects.
 */
export interface LineBatch {
  first: number;
  bufs: Buffer[];
  starts: number[];
  ends: number[];
}

/**
 * Split a byte stream into lines at the Buffer level (no readline, no per-line decoding or
 * slicing). `\r\n` endings are trimmed. A line longer than `maxLineBytes` is yielded empty and
 * its number added to `oversized`, so the reader can report it without ever holding it whole.
 */
export async function* splitLines(
  stream: Readable,
  maxLineBytes = Number.MAX_SAFE_INTEGER,
  oversized: Set<number> = new Set(),
): AsyncGenerator<LineBatch> {
  const EMPTY = Buffer.alloc(0);
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false;
  let lineNo = 1;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const b: LineBatch = { first: lineNo, bufs: [], starts: [], ends: [] };
    const push = (buf: Buffer, s: number, e: number) => {
      if (e > s && buf[e - 1] === 13) e--;
      b.bufs.push(buf);
      b.starts.push(s);
      b.ends.push(e);
      lineNo++;
    };
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      if (skipping) {
        oversized.add(lineNo);
        push(EMPTY, 0, 0);
        skipping = false;
      } else if (carryLen) {
        const line = Buffer.concat([...carry, chunk.subarray(start, nl)]);
        if (line.length > maxLineBytes) {
          oversized.add(lineNo);
          push(EMPTY, 0, 0);
        } else push(line, 0, line.length);
      } else if (nl - start > maxLineBytes) {
        oversized.add(lineNo);
        push(EMPTY, 0, 0);
      } else push(chunk, start, nl);
      carry = [];
      carryLen = 0;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.length - start;
      if (carryLen + rest > maxLineBytes) {
        carry = [];
        carryLen = 0;
        skipping = true;
      } else {
        // Copy: the stream may reuse the chunk's memory.
        carry.push(Buffer.from(chunk.subarray(start)));
        carryLen += rest;
      }
    }
    if (b.bufs.length) yield b;
  }
  if (skipping) {
    oversized.add(lineNo);
    yield { first: lineNo, bufs: [EMPTY], starts: [0], ends: [0] };
  } else if (carryLen) {
    let line = Buffer.concat(carry);
    if (line.length && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    yield { first: lineNo, bufs: [line], starts: [0], ends: [line.length] };
  }
}
