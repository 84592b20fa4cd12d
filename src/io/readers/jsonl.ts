import { isUtf8 } from 'node:buffer';
import { openInput } from '../decompress.js';
import { splitLines } from '../lines.js';
import { safeJsonError, type RawRow, type RowSource } from '../rows.js';

/** Per-chunk UTF-8 validity, computed once per chunk (a chunk holds many lines). */
let lastChunk: Buffer | undefined;
let lastOk = false;
function chunkOk(buf: Buffer): boolean {
  if (buf !== lastChunk) {
    lastChunk = buf;
    lastOk = isUtf8(buf);
  }
  return lastOk;
}

/**
 * One non-blank JSONL line before parsing: bytes `buf[start, end)`, known to be valid UTF-8 and
 * within the size limit — or `bad` when it is not.
 */
export interface RawLine {
  line: number;
  buf: Buffer;
  start: number;
  end: number;
  bad?: string;
}

/** Read a JSONL file (optionally .gz or .zst) as batches of raw lines (split, size- and UTF-8-checked, not parsed). */
export async function* readJsonlLines(file: string, maxLineBytes: number, onRead?: (bytes: number) => void): AsyncGenerator<RawLine[]> {
  const oversized = new Set<number>();
  for await (const batch of splitLines(openInput(file, onRead), maxLineBytes, oversized)) {
    const lines: RawLine[] = [];
    const { bufs, starts, ends } = batch;
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i];
      const s = starts[i];
      const e = ends[i];
      const line = batch.first + i;
      if (oversized.has(line)) {
        oversized.delete(line);
        lines.push({ line, buf, start: s, end: e, bad: `line longer than limits.max_line_bytes (${maxLineBytes} bytes)` });
        continue;
      }
      if (e - s < 8 && buf.toString('latin1', s, e).trim() === '') continue;
      // Text that is ASCII-or-valid is the norm: check the whole chunk once, lines only if it fails.
      if (!chunkOk(buf) && !isUtf8(buf.subarray(s, e))) {
        lines.push({ line, buf, start: s, end: e, bad: 'invalid UTF-8' });
        continue;
      }
      lines.push({ line, buf, start: s, end: e });
    }
    if (lines.length) yield lines;
  }
}

/** Parse one raw line into a row: a JSON object's fields, or why it is not one. */
export function parseJsonLine(l: RawLine): RawRow {
  if (l.bad !== undefined) return { line: l.line, bad: l.bad };
  let value: unknown;
  try {
    value = JSON.parse(l.buf.toString('utf8', l.start, l.end));
  } catch (e) {
    return { line: l.line, bad: safeJsonError(e) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line: l.line, bad: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  return { line: l.line, fields: value as { [k: string]: unknown } };
}

/** Read a JSONL file (optionally .gz or .zst) as batches of rows; bad lines become `bad` rows. */
export async function* readJsonl(file: string, maxLineBytes: number, onRead?: (bytes: number) => void): RowSource {
  for await (const lines of readJsonlLines(file, maxLineBytes, onRead)) yield lines.map(parseJsonLine);
}
