import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRow, RowSource } from '../rows.js';
import { InputError } from '../../errors.js';

/**
 * Read a Parquet file one row group at a time (never whole); row numbers are 1-based. Two
 * top-level columns of one name are an input error (rows as objects would keep one of them).
 */
export async function* readParquet(file: string): RowSource {
  const buf = await asyncBufferFromFile(file);
  const meta = await parquetMetadataAsync(buf);
  const names = parquetSchema(meta).children.map((c) => c.element.name);
  const dup = names.find((n, j) => names.indexOf(n) !== j);
  if (dup !== undefined) throw new InputError(`${file}: the schema names column '${dup}' more than once; a repeated column is ambiguous, so the file is not read`);
  let start = 0;
  for (const rg of meta.row_groups) {
    const n = Number(rg.num_rows);
    const objs = await parquetReadObjects({ file: buf, metadata: meta, rowStart: start, rowEnd: start + n, compressors });
    const rows: RawRow[] = objs.map((o, i) => ({ line: start + i + 1, fields: normalise(o as { [k: string]: unknown }) }));
    start += n;
    if (rows.length) yield rows;
  }
}

/**
 * BigInt and Date values, at any depth, become JSON-friendly numbers and ISO strings, so a kept
 * row's meta can be written (JSON.stringify throws on a BigInt). A Date that is not one
 * (hyparquet gives Invalid Date for out-of-range timestamps) becomes the string `Invalid Date`,
 * which no date grammar accepts: a per-row problem, never a throw.
 */
function normalise<T>(v: T): T {
  if (typeof v === 'bigint') return Number(v) as T;
  if (v instanceof Date) return (Number.isFinite(v.getTime()) && Math.abs(v.getTime()) <= 8.64e15 ? v.toISOString() : 'Invalid Date') as T;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normalise(v[i]);
  } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const o = v as { [k: string]: unknown };
    for (const k of Object.keys(o)) o[k] = normalise(o[k]);
  }
  return v;
}
