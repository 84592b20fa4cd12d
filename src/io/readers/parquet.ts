import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { RawRow, RowSource } from '../rows.js';

/** Read a Parquet file one row group at a time (never whole); row numbers are 1-based. */
export async function* readParquet(file: string): RowSource {
  const buf = await asyncBufferFromFile(file);
  const meta = await parquetMetadataAsync(buf);
  let start = 0;
  for (const rg of meta.row_groups) {
    const n = Number(rg.num_rows);
    const objs = await parquetReadObjects({ file: buf, metadata: meta, rowStart: start, rowEnd: start + n, compressors });
    const rows: RawRow[] = objs.map((o, i) => ({ line: start + i + 1, fields: normalise(o) }));
    start += n;
    if (rows.length) yield rows;
  }
}

/** BigInt and Date values become JSON-friendly numbers and ISO strings. */
function normalise(o: { [k: string]: unknown }): { [k: string]: unknown } {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'bigint') o[k] = Number(v);
    else if (v instanceof Date) o[k] = v.toISOString();
  }
  return o;
}
