import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { InputError } from '../errors.js';
import type { Config } from '../config/schema.js';

export type InputFormat = 'jsonl' | 'csv' | 'parquet';

/** One input file of a run, with the format it will be read as. */
export interface InputFile {
  path: string;
  format: InputFormat;
  bytes: number;
}

/** The format of a file from its name (`x.jsonl.gz` → jsonl). */
export function formatOf(file: string): InputFormat | undefined {
  const base = file.replace(/\.(gz|zst)$/i, '');
  if (/\.(jsonl|ndjson|json)$/i.test(base)) return 'jsonl';
  if (/\.(csv|tsv)$/i.test(base)) return 'csv';
  if (/\.parquet$/i.test(file)) return 'parquet';
  return undefined;
}

/**
 * Expand the config's inputs (paths and globs, relative to the config file) into a sorted,
 * de-duplicated file list. A pattern matching nothing is an input error naming it.
 */
export function expandInputs(config: Config, baseDir: string): InputFile[] {
  const seen = new Map<string, InputFile>();
  config.inputs.forEach((inp, i) => {
    const pattern = path.isAbsolute(inp.path) ? inp.path : path.join(baseDir, inp.path);
    const isGlob = /[*?[\]{}]/.test(inp.path);
    let files: string[];
    if (isGlob) {
      files = globSync(pattern.split(path.sep).join('/'), { absolute: true, onlyFiles: true }).sort();
      if (!files.length) throw new InputError(`inputs.${i}.path: no file matches ${inp.path} (looked in ${baseDir})`);
    } else {
      if (!fs.existsSync(pattern)) throw new InputError(`inputs.${i}.path: input file not found: ${pattern}`);
      if (!fs.statSync(pattern).isFile()) throw new InputError(`inputs.${i}.path: ${pattern} is a folder, not a file (give a file, or a glob such as ${path.join(inp.path, '*.jsonl')})`);
      files = [pattern];
    }
    for (const f of files) {
      const format = inp.format ?? formatOf(f);
      if (!format) throw new InputError(`inputs.${i}: cannot tell the format of ${f}; set inputs.${i}.format to jsonl, csv or parquet`);
      seen.set(f, { path: f, format, bytes: fs.statSync(f).size });
    }
  });
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
