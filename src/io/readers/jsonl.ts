import { isUtf8 } from 'node:buffer';
import { openInput } from '../decompress.js';
import { splitLines } from '../lines.js';
import { safeJsonError, type RawRow, type RowSource } from '../rows.js';

/** Read a JSONL file (optionally .gz or .zst) as batches of rows; bad lines become `bad` rows. */
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

export async function* readJsonl(file: string, maxLineBytes: number, onRead?: (bytes: number) => void): RowSource {
  const oversized = new Set<number>();
  for await (const batch of splitLines(openInput(file, onRead), maxLineBytes, oversized)) {
    const rows: RawRow[] = [];
    const { bufs, starts, ends } = batch;
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i];
      const s = starts[i];
      const e = ends[i];
      const line = batch.first + i;
      if (oversized.has(line)) {
        oversized.delete(line);
        rows.push({ line, bad: `line longer than limits.max_line_bytes (${maxLineBytes} bytes)` });
        continue;
      }
      if (e - s < 8 && buf.toString('latin1', s, e).trim() === '') continue;
      // Text that is ASCII-or-valid is the norm: check the whole chunk once, lines only if it fails.
      if (!chunkOk(buf) && !isUtf8(buf.subarray(s, e))) {
        rows.push({ line, bad: 'invalid UTF-8' });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8', s, e));
      } catch (e) {
        rows.push({ line, bad: safeJsonError(e) });
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        rows.push({ line, bad: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` });
        continue;
      }
      rows.push({ line, fields: value as { [k: string]: unknown } });
    }
    if (rows.length) yield rows;
  }
}
