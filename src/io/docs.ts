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

const FEATURES_KEY = Buffer.from(',"features":[');

/** Whether the JSON array opening at `buf[from]` closes at `buf[last]` (strings and escapes skipped; UTF-8 continuation bytes are never ASCII). */
function arrayClosesAt(buf: Buffer, from: number, last: number): boolean {
  let depth = 0;
  for (let k = from; k <= last; k++) {
    const c = buf[k];
    if (c === 0x22) {
      // a string: to its closing quote
      for (k++; k <= last && buf[k] !== 0x22; k++) if (buf[k] === 0x5c) k++;
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (--depth === 0) return k === last;
    }
  }
  return false;
}

/**
 * Line `i` of a features-step output file as a Doc without its `features` list, for a step that
 * does not read them (signatures): only the part before the list is decoded and parsed. The cut
 * is made only where `,"features":[` opens an array that closes right before the line's final
 * `}`: that array is the last member of the object the line's last byte closes, the top-level
 * one (in JSON text a quote inside a string is always escaped, so the sequence is never inside a
 * string). Any other line (features elsewhere or absent, a bad line) is parsed whole (`docAt`).
 */
export function docWithoutFeatures(lines: Parameters<typeof parseJsonLine>[0], i: number, file: string): Doc {
  if (lines.bad[i] === undefined) {
    const buf = lines.buf[i];
    const s = lines.start[i];
    const e = lines.end[i];
    if (e - s > FEATURES_KEY.length + 2 && buf[e - 1] === 0x7d && buf[e - 2] === 0x5d) {
      const at = buf.lastIndexOf(FEATURES_KEY, e - FEATURES_KEY.length);
      if (at > s && arrayClosesAt(buf, at + FEATURES_KEY.length - 1, e - 2)) {
        let v: unknown;
        try {
          v = JSON.parse(buf.toString('utf8', s, at) + '}');
        } catch {
          v = undefined;
        }
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Doc;
      }
    }
  }
  return docAt(lines, i, file);
}
