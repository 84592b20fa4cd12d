import { isUtf8 } from 'node:buffer';
import { openInput, type OnRead } from '../decompress.js';
import { splitLines } from '../lines.js';
import { duplicateKeys, safeJsonError, type RawRow, type RowSource } from '../rows.js';
import { nestedDuplicateKey } from '../conversations.js';

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
 * A batch of non-blank JSONL lines before parsing: line `line[i]` is `buf[i][start[i], end[i])`,
 * known to be valid UTF-8 and within the size limit unless `bad[i]` says why not. Parallel arrays
 * rather than an object per line: millions of lines make no garbage beyond their batch.
 */
class RawLines {
  n = 0;
  readonly line: number[] = [];
  readonly buf: Buffer[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly bad: Array<string | undefined> = [];

  push(line: number, buf: Buffer, start: number, end: number, bad?: string): void {
    this.line.push(line);
    this.buf.push(buf);
    this.start.push(start);
    this.end.push(end);
    this.bad.push(bad);
    this.n++;
  }
}

/** Read a JSONL file (optionally .gz or .zst) as batches of raw lines (split, size- and UTF-8-checked, not parsed). */
export async function* readJsonlLines(file: string, maxLineBytes: number, onRead?: OnRead, chunkBytes?: number): AsyncGenerator<RawLines> {
  const oversized = new Set<number>();
  for await (const batch of splitLines(openInput(file, onRead, chunkBytes), maxLineBytes, oversized)) {
    const lines = new RawLines();
    const { bufs, starts, ends } = batch;
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i];
      const s = starts[i];
      const e = ends[i];
      const line = batch.first + i;
      if (oversized.has(line)) {
        oversized.delete(line);
        lines.push(line, buf, s, e, `line longer than limits.max_line_bytes (${maxLineBytes} bytes)`);
        continue;
      }
      if (e - s < 8 && buf.toString('latin1', s, e).trim() === '') continue;
      // Text that is ASCII-or-valid is the norm: check the whole chunk once, lines only if it fails.
      if (!chunkOk(buf) && !isUtf8(buf.subarray(s, e))) {
        lines.push(line, buf, s, e, 'invalid UTF-8');
        continue;
      }
      lines.push(line, buf, s, e);
    }
    if (lines.n) yield lines;
  }
}

/**
 * Parse line `i` of a batch into a row: a JSON object's fields (with `dups`, the keys it repeats:
 * JSON.parse keeps only the last), or why it is not one. `checkKeys` false skips the two scans for
 * repeated keys (for lines this tool wrote itself from parsed objects, which cannot repeat one).
 */
export function parseJsonLine(l: RawLines, i: number, checkKeys = true): RawRow {
  const line = l.line[i];
  const bad = l.bad[i];
  if (bad !== undefined) return { line, bad };
  let value: unknown;
  const text = l.buf[i].toString('utf8', l.start[i], l.end[i]);
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, bad: safeJsonError(e) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { line, bad: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  if (!checkKeys) return { line, fields: value as { [k: string]: unknown } };
  const dups = duplicateKeys(text);
  const row: RawRow = dups ? { line, fields: value as { [k: string]: unknown }, dups } : { line, fields: value as { [k: string]: unknown } };
  // a key repeated inside a nested object (a chat's message): JSON.parse kept the last one
  for (const k in value) {
    const v = (value as { [k: string]: unknown })[k];
    if (typeof v === 'object' && v !== null) {
      if (nestedDuplicateKey(text)) row.nestedDups = true;
      break;
    }
  }
  return row;
}

/** Read a JSONL file (optionally .gz or .zst) as batches of rows; bad lines become `bad` rows. `checkKeys`: see `parseJsonLine`. */
export async function* readJsonl(file: string, maxLineBytes: number, onRead?: OnRead, chunkBytes?: number, checkKeys = true): RowSource {
  for await (const lines of readJsonlLines(file, maxLineBytes, onRead, chunkBytes)) {
    const rows: RawRow[] = [];
    for (let i = 0; i < lines.n; i++) rows.push(parseJsonLine(lines, i, checkKeys));
    yield rows;
  }
}
