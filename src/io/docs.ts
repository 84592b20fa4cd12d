import fs from 'node:fs';
import path from 'node:path';
import type { Doc } from '../doc.js';
import { parseJsonLine, readJsonl } from './readers/jsonl.js';
import { InputError } from '../errors.js';

/** Files of a stage's output folder matching `part-*.jsonl[.gz|.zst]`, sorted (recursively under `dir`). */
export function stageFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...stageFiles(p));
    else if (/^part-\d+\.jsonl(\.gz|\.zst)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/**
 * Stream the Docs of one stage output file. Stage outputs are written by this tool, so a bad line is an input error.
 * `onRead` counts the file's (compressed) bytes as they are read: in 16 KiB reads, which the parser's
 * back-pressure paces, so the count follows the docs processed (a stage's progress) rather than
 * jumping to the end of a small file at the first read.
 */
export async function* readDocs(file: string, onRead?: (bytes: number) => void): AsyncGenerator<Doc[]> {
  // docs are JSON.stringify's output (no key twice): the scans for repeated keys are skipped
  for await (const rows of readJsonl(file, 64 << 20, onRead, onRead ? 16 << 10 : undefined, false)) {
    const docs: Doc[] = [];
    for (const r of rows) {
      if (r.fields === undefined) throw new InputError(`${file}:${r.line}: ${r.bad} (stage output is damaged; re-run the stage that wrote it)`);
      docs.push(r.fields as unknown as Doc);
    }
    yield docs;
  }
}

/** Line `i` of a batch from `readJsonlLines` as a Doc (a stage output file: a bad line is an input error, as in `readDocs`). */
export function docAt(lines: Parameters<typeof parseJsonLine>[0], i: number, file: string): Doc {
  const r = parseJsonLine(lines, i, false);
  if (r.fields === undefined) throw new InputError(`${file}:${r.line}: ${r.bad} (stage output is damaged; re-run the stage that wrote it)`);
  return r.fields as unknown as Doc;
}
