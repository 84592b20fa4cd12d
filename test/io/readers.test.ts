import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { splitLines } from '../../src/io/lines.js';
import { readJsonl } from '../../src/io/readers/jsonl.js';
import { readCsv } from '../../src/io/readers/csv.js';
import { readParquet } from '../../src/io/readers/parquet.js';
import { JsonlWriter } from '../../src/io/writers/jsonl.js';
import { jsZstdStream } from '../../src/io/decompress.js';
import { loadZstd } from '../../src/io/zstd.js';
import type { RawRow, RowSource } from '../../src/io/rows.js';
import { tmpDir } from '../helpers.js';

/** `{"a":1}\n{"a":2}\n` as one zstd frame with its checksum, made by the reference CLI (`zstd -19`). */
const ZST = Buffer.from('KLUv/SQQgQAAeyJhIjoxfQp7ImEiOjJ9Cu7trPI=', 'base64');

async function all(src: RowSource): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const b of src) out.push(...b);
  return out;
}

describe('splitLines', () => {
  it('splits across chunk boundaries, trims CR, keeps a last line without newline', async () => {
    const chunks = ['ab', 'c\r\nde', 'f\n\ng', 'hi'].map((s) => Buffer.from(s));
    const lines: string[] = [];
    for await (const b of splitLines(Readable.from(chunks))) lines.push(...b.bufs.map((l, i) => l.toString('utf8', b.starts[i], b.ends[i])));
    expect(lines).toEqual(['abc', 'def', '', 'ghi']);
  });
  it('flags lines over the limit without holding them', async () => {
    const over = new Set<number>();
    const lines: string[] = [];
    const src = Readable.from([Buffer.from('ok\n' + 'x'.repeat(50)), Buffer.from('x'.repeat(50) + '\nfine\n')]);
    for await (const b of splitLines(src, 40, over)) lines.push(...b.bufs.map((l, i) => l.toString('utf8', b.starts[i], b.ends[i])));
    expect(lines).toEqual(['ok', '', 'fine']);
    expect([...over]).toEqual([2]);
  });
});

describe('readJsonl', () => {
  it('reports bad JSON, non-objects and invalid UTF-8 with their line, and goes on', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.jsonl');
    fs.writeFileSync(f, Buffer.concat([Buffer.from('{"a":1}\n{"a": SECRET-TEXT\n[1,2]\n\n{"b":"'), Buffer.from([0xfc, 0x22, 0x7d]), Buffer.from('\n{"c":3}')]));
    const rows = await all(readJsonl(f, 1000));
    expect(rows.map((r) => [r.line, r.bad ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'invalid JSON: unexpected character'],
      [3, 'expected a JSON object, got an array'],
      [5, 'invalid UTF-8'],
      [6, 'ok'],
    ]);
    // error messages never quote the input
    expect(rows.map((r) => r.bad ?? '').join(' ')).not.toContain('SECRET');
  });
  it('reads .gz and .zst transparently', async () => {
    const d = tmpDir();
    const body = '{"a":1}\n{"a":2}\n';
    fs.writeFileSync(path.join(d, 'a.jsonl.gz'), zlib.gzipSync(body));
    expect((await all(readJsonl(path.join(d, 'a.jsonl.gz'), 1000))).length).toBe(2);
    fs.writeFileSync(path.join(d, 'a.jsonl.zst'), ZST);
    expect((await all(readJsonl(path.join(d, 'a.jsonl.zst'), 1000))).map((r) => r.fields)).toEqual([{ a: 1 }, { a: 2 }]);
  });
  it('a truncated .gz fails loudly', async () => {
    const d = tmpDir();
    const gz = zlib.gzipSync('{"a":1}\n'.repeat(10_000));
    fs.writeFileSync(path.join(d, 't.jsonl.gz'), gz.subarray(0, gz.length >> 1));
    await expect(all(readJsonl(path.join(d, 't.jsonl.gz'), 1000))).rejects.toThrow(/unexpected end of file/);
  });
  // zstd-napi is an optional dependency: what needs its compressor runs only where it is built
  it.runIf(loadZstd())('a truncated or corrupt .zst fails like a .gz does, and JsonlWriter output reads back', async () => {
    const d = tmpDir();
    const f = path.join(d, 'w.jsonl.zst');
    const w = new JsonlWriter(f, { level: 1 });
    for (let i = 0; i < 20_000; i++) w.write({ i, t: `row ${i}` });
    await w.close();
    const rows = await all(readJsonl(f, 1000));
    expect(rows.length).toBe(20_000);
    expect(rows[19_999].fields).toEqual({ i: 19_999, t: 'row 19999' });
    const z = fs.readFileSync(f);
    fs.writeFileSync(path.join(d, 't.jsonl.zst'), z.subarray(0, z.length >> 1));
    await expect(all(readJsonl(path.join(d, 't.jsonl.zst'), 1000))).rejects.toThrow(/unexpected end of file/);
    const bad = Buffer.from(z);
    for (let i = 100; i < 200; i++) bad[i] ^= 0x5a;
    fs.writeFileSync(path.join(d, 'c.jsonl.zst'), bad);
    await expect(all(readJsonl(path.join(d, 'c.jsonl.zst'), 1000))).rejects.toMatchObject({ code: 'Z_DATA_ERROR' });
    // the pure-JS decoder reads the native encoder's multi-block output
    expect((await viaJs(z)).toString('utf8').split('\n').length).toBe(20_001);
    // no lines: still a zstd stream (one empty frame), not an empty file
    const e = new JsonlWriter(path.join(d, 'e.jsonl.zst'));
    await e.close();
    const eb = fs.readFileSync(path.join(d, 'e.jsonl.zst'));
    expect(eb.length).toBeGreaterThan(0);
    expect(await all(readJsonl(path.join(d, 'e.jsonl.zst'), 1000))).toEqual([]);
    expect((await viaJs(eb)).length).toBe(0);
  });
  it('the pure-JS zstd decoder (used when the native binding is not built) reads, and fails like gzip does', async () => {
    expect((await viaJs(ZST)).toString('utf8')).toBe('{"a":1}\n{"a":2}\n');
    await expect(viaJs(ZST.subarray(0, ZST.length - 6))).rejects.toThrow(/unexpected end of file/);
    const garbage = Buffer.from(ZST);
    garbage.writeUInt32LE(0x12345678, 0); // not a zstd frame
    await expect(viaJs(garbage)).rejects.toMatchObject({ code: 'Z_DATA_ERROR' });
  });
});

const viaJs = async (b: Buffer) => Buffer.concat(await Readable.from([b]).pipe(jsZstdStream()).toArray());

describe('readCsv', () => {
  it('maps headers, keeps real line numbers across quoted newlines', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.csv');
    fs.writeFileSync(f, 'id,text\n1,"two\nlines"\n2,plain\n3,"x,y"\n');
    const rows = await all(readCsv(f, ','));
    expect(rows.map((r) => [r.line, r.fields?.id, r.fields?.text])).toEqual([
      [2, '1', 'two\nlines'],
      [4, '2', 'plain'],
      [5, '3', 'x,y'],
    ]);
  });
  it('an unterminated quote is a bad row at its line, without echoing values', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.csv');
    fs.writeFileSync(f, 'id,text\n1,ok\n2,"SECRET never closed\n3,more\n');
    const rows = await all(readCsv(f, ','));
    expect(rows[0].fields).toEqual({ id: '1', text: 'ok' });
    expect(rows[1].line).toBe(3);
    expect(rows[1].bad).toMatch(/unterminated quoted field/);
    expect(JSON.stringify(rows.map((r) => r.bad))).not.toContain('SECRET');
  });
  it('a row with too few fields is bad', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.csv');
    fs.writeFileSync(f, 'id,text,n\n1,ok,2\n2,short\n');
    const rows = await all(readCsv(f, ','));
    expect(rows[1]).toMatchObject({ line: 3, bad: expect.stringMatching(/Too few fields/) });
  });
});

describe('readParquet', () => {
  it('reads rows with 1-based numbers', async () => {
    const { parquetWriteFile } = await import('hyparquet-writer');
    const d = tmpDir();
    const f = path.join(d, 'a.parquet');
    parquetWriteFile({ filename: f, columnData: [
      { name: 'id', data: ['a', 'b', 'c'], type: 'STRING' },
      { name: 'n', data: [1, 2, 3], type: 'INT32' },
    ], rowGroupSize: 2 });
    const rows = await all(readParquet(f));
    expect(rows.map((r) => [r.line, r.fields?.id, r.fields?.n])).toEqual([[1, 'a', 1], [2, 'b', 2], [3, 'c', 3]]);
  });
});

describe('readCsv backpressure', () => {
  it('streams a CSV larger than one parser batch without losing or reordering rows', async () => {
    const d = tmpDir();
    const f = path.join(d, 'big.csv');
    const n = 12_345;
    fs.writeFileSync(f, 'id,text\n' + Array.from({ length: n }, (_, i) => `${i},"row ${i}\nsecond line"`).join('\n') + '\n');
    const rows = await all(readCsv(f, ','));
    expect(rows.length).toBe(n);
    expect(rows.every((r, i) => r.fields?.id === String(i) && r.line === 2 + 2 * i)).toBe(true);
  });
});
