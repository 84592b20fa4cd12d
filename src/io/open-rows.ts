import type { Config } from '../config/schema.js';
import type { InputFile } from './inputs.js';
import type { OnRead } from './decompress.js';
import type { RowSource } from './rows.js';
import { readJsonl } from './readers/jsonl.js';
import { readCsv } from './readers/csv.js';
import { readParquet } from './readers/parquet.js';

/** The reader for one input file, chosen by its format. */
export function openRows(file: InputFile, config: Pick<Config, 'limits' | 'csv'>, onRead?: OnRead): RowSource {
  switch (file.format) {
    case 'jsonl':
      return readJsonl(file.path, config.limits.max_line_bytes, onRead);
    case 'csv':
      return readCsv(file.path, /\.tsv(\.gz|\.zst)?$/i.test(file.path) ? '\t' : config.csv.delimiter, onRead);
    case 'parquet':
      return readParquet(file.path);
  }
}
