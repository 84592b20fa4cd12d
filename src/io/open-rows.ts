import type { Config } from '../config/schema.js';
import type { InputFile } from './inputs.js';
import type { OnRead } from './decompress.js';
import type { RowSource } from './rows.js';
import { readJsonl } from './readers/jsonl.js';

/** Rows from a reader whose module is imported on first read (the CSV and parquet readers pull in their parsers: a step that reads only JSONL never loads them). */
async function* lazyRows(open: () => Promise<RowSource>): RowSource {
  yield* await open();
}

/** The reader for one input file, chosen by its format. */
export function openRows(file: InputFile, config: Pick<Config, 'limits' | 'csv'>, onRead?: OnRead): RowSource {
  switch (file.format) {
    case 'jsonl':
      return readJsonl(file.path, config.limits.max_line_bytes, onRead);
    case 'csv':
      return lazyRows(async () => (await import('./readers/csv.js')).readCsv(file.path, /\.tsv(\.gz|\.zst)?$/i.test(file.path) ? '\t' : config.csv.delimiter, onRead));
    case 'parquet':
      return lazyRows(async () => (await import('./readers/parquet.js')).readParquet(file.path));
  }
}
