/**
 * `sampleColumns` (src/io/diagnose.ts) parses only the lines it samples from a JSONL input; it
 * must count what sampling the rows of the generic reader (`openRows`, which parses every line of
 * a batch) counts: the first `perFile` readable rows of each file. Oracle: that loop over
 * `openRows`, on random files with malformed, blank, non-object and repeated-key lines, gzip and
 * zstd among them, for random `perFile`.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sampleColumns } from '../../src/io/diagnose.js';
import { openRows } from '../../src/io/open-rows.js';
import type { InputFile } from '../../src/io/inputs.js';
import { loadZstd } from '../../src/io/zstd.js';
import { prng, tmpDir } from '../helpers.js';

const config = { limits: { max_line_bytes: 200 }, csv: { delimiter: ',' } } as Parameters<typeof sampleColumns>[1];

async function oracle(files: InputFile[], perFile: number) {
  const columns = new Map<string, number>();
  let rows = 0;
  for (const f of files) {
    let n = 0;
    outer: for await (const batch of openRows(f, config)) {
      for (const r of batch) {
        if (r.fields === undefined) continue;
        rows++;
        for (const k of Object.keys(r.fields)) columns.set(k, (columns.get(k) ?? 0) + 1);
        if (++n >= perFile) break outer;
      }
    }
  }
  return { rows, columns };
}

describe('sampleColumns on JSONL', () => {
  it('counts the columns of the first perFile readable rows of each file, as the row reader does', async () => {
    const dir = tmpDir('vern-diag-');
    const rand = prng(20261206);
    const keys = ['id', 'text', 'author', 'created_at', 'country', 'lang', 'x', 'Ünï'];
    for (let round = 0; round < 25; round++) {
      const files: InputFile[] = [];
      for (let fi = 0; fi < 1 + Math.floor(rand() * 3); fi++) {
        const lines: string[] = [];
        for (let i = 0, n = Math.floor(rand() * 40); i < n; i++) {
          const r = rand();
          if (r < 0.08) lines.push('{"id": 1,'); // malformed
          else if (r < 0.12) lines.push('   ');
          else if (r < 0.15) lines.push('[1,2]');
          else if (r < 0.18) lines.push(`{"text":"${'y'.repeat(300)}"}`); // over max_line_bytes
          else if (r < 0.22) lines.push('{"id":"a","id":"b","text":"t"}');
          else {
            const o: { [k: string]: unknown } = {};
            for (const k of keys) if (rand() < 0.5) o[k] = rand() < 0.2 ? { nested: true } : `v${Math.floor(rand() * 9)}`;
            lines.push(JSON.stringify(o));
          }
        }
        const body = Buffer.from(lines.join('\n') + (rand() < 0.5 ? '\n' : ''));
        const kind = rand();
        const z = loadZstd();
        const name = path.join(dir, `r${round}-f${fi}.jsonl${kind < 0.3 ? '.gz' : kind < 0.6 && z ? '.zst' : ''}`);
        fs.writeFileSync(name, name.endsWith('.gz') ? zlib.gzipSync(body) : name.endsWith('.zst') ? z!.compress(body) : body);
        files.push({ path: name, format: 'jsonl', bytes: fs.statSync(name).size });
      }
      const perFile = 1 + Math.floor(rand() * 20);
      const got = await sampleColumns(files, config, perFile);
      const want = await oracle(files, perFile);
      expect(got.rows).toBe(want.rows);
      expect([...got.columns].sort()).toEqual([...want.columns].sort());
    }
  });
});
