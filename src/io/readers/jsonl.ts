import { isUtf8 } from 'node:buffer';
import { openInput } from '../decompress.js';
import { splitLines } from '../lines.js';
import { safeJsonError, type RawRow, type RowSource } from '../rows.js';

/** Read a JSONL file (optionally .gz or .zst) as batches of rows; bad lines become `bad` rows. */
export async function* readJsonl(file: string, maxLineBytes: number, onRead?: (bytes: number) => void): RowSource {
  const oversized = new Set<number>();
  for await (const batch of splitLines(openInput(file, onRead), maxLineBytes, oversized)) {
    const rows: RawRow[] = [];
    for (let i = 0; i < batch.lines.length; i++) {
      const buf = batch.lines[i];
      const line = batch.first + i;
      if (oversized.has(line)) {
        oversized.delete(line);
        rows.push({ line, bad: `line longer than limits.max_line_bytes (${maxLineBytes} bytes)` });
        continue;
      }
      if (buf.length === 0 || (buf.length < 8 && buf.toString('latin1').trim() === '')) continue;
      if (!isUtf8(buf)) {
        rows.push({ line, bad: 'invalid UTF-8' });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8'));
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
