/**
 * JsonlWriter's blocks (src/io/writers/jsonl.ts) start small and grow, but what reaches the
 * compressor must be what fixed full-size blocks gave: the same lines in the same chunks, so the
 * files' bytes do not change. Oracle: the lines cut into blocks the way the writer always did (a
 * block is handed on when the next line's bound would not fit in the block size, a longer line
 * gets a block of its own size). zstd output is one frame per block, so it shows the chunks
 * themselves; gzip output (chunking does not show in zlib's bytes) is checked against a gzip
 * stream fed the same chunks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlWriter } from '../../src/io/writers/jsonl.js';
import { rng } from '../../src/evaluate/metrics.js';
import { loadZstd } from '../../src/io/zstd.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vern-jsonl-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The chunks fixed blocks of `blockBytes` make of these lines (bound 3 bytes per UTF-16 unit, as `writeLine`). */
function oracleChunks(lines: string[], blockBytes: number): Buffer[] {
  const chunks: Buffer[] = [];
  let cap = blockBytes;
  let cur: Buffer[] = [];
  let used = 0;
  for (const l of lines) {
    const max = l.length * 3;
    if (used + max + 1 > cap) {
      if (used) chunks.push(Buffer.concat(cur));
      (cur = []), (used = 0);
      if (max + 1 > cap) cap = max + 1;
    }
    const b = Buffer.from(l + '\n');
    cur.push(b);
    used += b.length;
  }
  if (used) chunks.push(Buffer.concat(cur));
  return chunks;
}

async function gzipChunks(chunks: Buffer[], level: number): Promise<Buffer> {
  const gz = zlib.createGzip({ level });
  const out: Buffer[] = [];
  gz.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((r) => gz.on('end', r));
  for (const c of chunks) gz.write(c);
  gz.end();
  await done;
  return Buffer.concat(out);
}

const randomLine = (rand: () => number, maxLen: number) => {
  const n = Math.floor(rand() * rand() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rand();
    s += r < 0.7 ? String.fromCharCode(97 + Math.floor(rand() * 26)) : r < 0.9 ? 'é' : r < 0.97 ? '€' : '😀';
  }
  return JSON.stringify({ i: n, text: s });
};

describe('JsonlWriter blocks', () => {
  it('gzip output is byte-identical to fixed full-size blocks, for block sizes that force growth, flushes and over-long lines', async () => {
    const rand = rng(17);
    for (let round = 0; round < 10; round++) {
      const blockBytes = 64 + Math.floor(rand() * 40_000);
      const lines = Array.from({ length: 1 + Math.floor(rand() * 300) }, () => randomLine(rand, rand() < 0.05 ? 30_000 : 600));
      const level = round % 2 ? 1 : 6;
      const file = path.join(dir, `r${round}.jsonl.gz`);
      const w = new JsonlWriter(file, { level, blockBytes });
      for (const l of lines) {
        const p = w.writeLine(l);
        if (p) await p;
      }
      await w.close();
      const got = fs.readFileSync(file);
      expect(zlib.gunzipSync(got).toString('utf8')).toBe(lines.map((l) => l + '\n').join(''));
      expect(got.equals(await gzipChunks(oracleChunks(lines, blockBytes), level))).toBe(true);
    }
  });

  it.skipIf(!loadZstd())('zstd output is one frame per block, the blocks those of fixed full-size blocks', async () => {
    const z = loadZstd()!;
    const rand = rng(29);
    for (let round = 0; round < 10; round++) {
      // block sizes below and above the first (32 KB) allocation
      const blockBytes = 64 + Math.floor(rand() * 150_000);
      const lines = Array.from({ length: 1 + Math.floor(rand() * 800) }, () => randomLine(rand, rand() < 0.05 ? 30_000 : 1200));
      const file = path.join(dir, `r${round}.jsonl.zst`);
      const w = new JsonlWriter(file, { level: 1, blockBytes });
      for (const l of lines) {
        const p = w.writeLine(l);
        if (p) await p;
      }
      await w.close();
      const c = new z.Compressor();
      c.setParameters({ compressionLevel: 1, checksumFlag: true });
      const want = Buffer.concat(oracleChunks(lines, blockBytes).map((b) => c.compress(b)));
      expect(fs.readFileSync(file).equals(want)).toBe(true);
    }
  });

  it('uncompressed output holds every line, values and pieces written in place alike', async () => {
    const rand = rng(5);
    const file = path.join(dir, 'plain.jsonl');
    const w = new JsonlWriter(file, { blockBytes: 1 << 20 });
    const want: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i % 3 === 0) {
        const v = { i, t: randomLine(rand, 200) };
        want.push(JSON.stringify(v));
        const p = w.write(v);
        if (p) await p;
      } else {
        const head = Buffer.from(`{"n":`);
        const p = w.begin(64);
        w.putBytes(head, 0, head.length);
        w.putUint(i * 7919);
        w.putString('}');
        w.end();
        want.push(`{"n":${i * 7919}}`);
        if (p) await p;
      }
    }
    await w.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(want.map((l) => l + '\n').join(''));
  });
});
