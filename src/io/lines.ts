import type { Readable } from 'node:stream';

/** A run of complete lines cut from a byte stream. `lines[i]` is line `first + i` (1-based). */
export interface LineBatch {
  first: number;
  lines: Buffer[];
}

/**
 * Split a byte stream into lines at the Buffer level (no readline, no per-line string decoding),
 * yielding batches so the per-line cost stays a `subarray`. `\r\n` endings are trimmed.
 * A line longer than `maxLineBytes` is replaced by an empty Buffer flagged in `oversized` so the
 * reader can report it without ever holding it whole.
 */
export async function* splitLines(
  stream: Readable,
  maxLineBytes = Number.MAX_SAFE_INTEGER,
  oversized: Set<number> = new Set(),
): AsyncGenerator<LineBatch> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false;
  let lineNo = 1;
  const trimCR = (b: Buffer) => (b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const batch: Buffer[] = [];
    const first = lineNo;
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      let line: Buffer;
      if (skipping) {
        line = Buffer.alloc(0);
        oversized.add(lineNo);
        skipping = false;
      } else if (carryLen) {
        line = Buffer.concat([...carry, chunk.subarray(start, nl)]);
        if (line.length > maxLineBytes) {
          oversized.add(lineNo);
          line = Buffer.alloc(0);
        }
      } else {
        line = chunk.subarray(start, nl);
        if (line.length > maxLineBytes) {
          oversized.add(lineNo);
          line = Buffer.alloc(0);
        }
      }
      carry = [];
      carryLen = 0;
      batch.push(trimCR(line));
      lineNo++;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.subarray(start);
      if (carryLen + rest.length > maxLineBytes) {
        carry = [];
        carryLen = 0;
        skipping = true;
      } else {
        // Copy: the stream may reuse the chunk's memory.
        carry.push(Buffer.from(rest));
        carryLen += rest.length;
      }
    }
    if (batch.length) yield { first, lines: batch };
  }
  if (skipping) {
    oversized.add(lineNo);
    yield { first: lineNo, lines: [Buffer.alloc(0)] };
  } else if (carryLen) {
    yield { first: lineNo, lines: [trimCR(Buffer.concat(carry))] };
  }
}
