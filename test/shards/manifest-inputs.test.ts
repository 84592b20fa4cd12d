import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import { runFlow } from '../../src/flow/run.js';
import { runShards } from '../../src/shards/stage.js';
import { buildContext } from '../../src/pipeline/context.js';
import { openInput } from '../../src/io/decompress.js';
import { RawSha } from '../../src/io/raw-sha.js';
import type { Manifest } from '../../src/shards/manifest.js';
import { FIELDS, ROOT, record, tmpDir, writeConfig } from '../helpers.js';

/**
 * The manifest's `inputs[].sha256` is the SHA-256 of each raw input file as stored (compressed
 * bytes for .gz/.zst). The filter pass takes it while it reads the file and keeps it in its
 * partition marker; the shards step takes it from there and reads an input again only when a
 * marker cannot vouch for the file as it is now.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MTIME = 1_750_000_000; // whole seconds: a file's mtime can be put back exactly

/** A zstd frame of raw (stored) blocks: valid zstd that any decoder reads, whatever is built here. */
function zstdStored(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic; no checksum, no size; window 128 KiB
  for (let o = 0; o < data.length || o === 0; o += 1 << 16) {
    const block = data.subarray(o, o + (1 << 16));
    const last = o + (1 << 16) >= data.length ? 1 : 0;
    const h = (block.length << 3) | last; // raw block (type 0)
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), block);
    if (last) break;
  }
  return Buffer.concat(parts);
}

const INPUTS = ['a.jsonl', 'b.jsonl.gz', 'c.jsonl.zst', 'd.csv', 'e.parquet'];

/** A small build folder: the five inputs (de-AT posts from the sample's texts, different in each file), a config with no evaluate step. */
function buildFolder(): { dir: string; config: string } {
  const dir = tmpDir('vern-rawsha-');
  const texts = fs.readFileSync(path.join(ROOT, 'corpora/sample/texts/de-AT.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.length > 40);
  const rows = (k: number) => Array.from({ length: 12 }, (_, i) => record({ post_id: `p${k}-${i}`, user_id: `u${i % 5}`, body: texts[(k * 12 + i) % texts.length], created: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z` }));
  const jsonl = (k: number) => Buffer.from(rows(k).map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'a.jsonl'), jsonl(0));
  fs.writeFileSync(path.join(dir, 'b.jsonl.gz'), zlib.gzipSync(jsonl(1)));
  fs.writeFileSync(path.join(dir, 'c.jsonl.zst'), zstdStored(jsonl(2)));
  const cols = Object.keys(record());
  const csv = [cols.join(','), ...rows(3).map((r) => cols.map((c) => `"${String(r[c]).replace(/"/g, '""')}"`).join(','))].join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'd.csv'), csv);
  const pq = rows(4);
  parquetWriteFile({ filename: path.join(dir, 'e.parquet'), columnData: cols.map((c) => (c === 'is_deleted' ? { name: c, data: pq.map((r) => r[c] as boolean), type: 'BOOLEAN' as const } : { name: c, data: pq.map((r) => String(r[c])), type: 'STRING' as const })) });
  for (const f of INPUTS) fs.utimesSync(path.join(dir, f), MTIME, MTIME);
  const config = writeConfig(dir, { name: 'rawsha', fields: FIELDS, inputs: INPUTS.map((p) => ({ path: p })), segment: { locales: ['de-AT'] }, shards: { balance: { strategy: 'uniform', min: 1 } }, evaluate: { enabled: false } });
  return { dir, config };
}

const readJson = <T>(f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as T;
type Marker = { stats: { kept: number; raw?: { path: string; bytes: number; sha256: string } } };

describe('the manifest takes the raw-input hashes from the filter pass', () => {
  let dir: string;
  let config: string;
  let out: string;
  const original = new Map<string, string>();
  const marker = (i: number) => path.join(out, 'filter', '_done', `part-0000${i}.json`);
  /** The shards step alone, forced to publish again (its completion marker gone), as `vernacular run-stage shards` would. */
  const publish = async (): Promise<Manifest> => {
    fs.rmSync(path.join(out, '_done', 'shards.json'), { force: true });
    return (await runShards({ ...buildContext({ config, out, insecureDevSecret: true }, 'shards', { quiet: true }), stage: 'shards' })).manifest;
  };
  const shaOf = (m: Manifest) => Object.fromEntries(m.inputs.map((x) => [x.path, x.sha256]));

  beforeAll(async () => {
    ({ dir, config } = buildFolder());
    for (const f of INPUTS) original.set(f, sha(fs.readFileSync(path.join(dir, f))));
    out = path.join(dir, 'out');
    await runFlow({ config, out, insecureDevSecret: true, workers: 1, quiet: true });
  }, 30_000);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('JSONL, JSONL.gz, JSONL.zst, CSV and Parquet: the manifest sha256 is the file\'s SHA-256, and the filter marker holds it; stats.json has no trace of it', () => {
    const m = readJson<Manifest>(path.join(out, 'shards', 'manifest.json'));
    expect(m.inputs.map((x) => x.path)).toEqual(INPUTS);
    for (const x of m.inputs) {
      expect(x.sha256, x.path).toBe(original.get(x.path));
      expect(x.bytes, x.path).toBe(fs.statSync(path.join(dir, x.path)).size);
    }
    INPUTS.forEach((f, i) => {
      const mk = readJson<Marker>(marker(i));
      expect(mk.stats.kept, `${f}: every row read and kept`).toBe(12);
      expect(mk.stats.raw, f).toEqual({ path: f, bytes: fs.statSync(path.join(dir, f)).size, mtimeMs: MTIME * 1000, sha256: original.get(f) });
    });
    const stats = fs.readFileSync(path.join(out, 'filter', 'stats.json'), 'utf8');
    expect(stats).not.toMatch(/"raw"|sha256|mtimeMs/);
    expect(readJson<{ funnel: { read: number; kept: number } }>(path.join(out, 'filter', 'stats.json')).funnel).toMatchObject({ read: 60, kept: 60 });
  });

  it('the shards step does not read an input whose marker holds its hash; a marker without it (an older version), or a file changed since, is hashed again', async () => {
    // each input rewritten with other bytes of the same size, its mtime put back: only a re-read can tell
    for (const f of INPUTS) {
      const p = path.join(dir, f);
      const b = fs.readFileSync(p);
      fs.writeFileSync(p, Buffer.from(b.map((x) => x ^ 0x5a)));
      fs.utimesSync(p, MTIME, MTIME);
      expect(sha(fs.readFileSync(p))).not.toBe(original.get(f));
    }
    const inputPaths = new Set(INPUTS.map((f) => path.join(dir, f)));
    const touched: string[] = [];
    const watch = <K extends 'openSync' | 'readFileSync' | 'createReadStream'>(name: K) => {
      const real = fs[name] as (...a: unknown[]) => unknown;
      vi.spyOn(fs, name).mockImplementation(((...a: unknown[]) => {
        if (typeof a[0] === 'string' && inputPaths.has(path.resolve(a[0]))) touched.push(`${name} ${a[0]}`);
        return real.apply(fs, a);
      }) as never);
    };
    watch('openSync');
    watch('readFileSync');
    watch('createReadStream');
    expect(shaOf(await publish())).toEqual(Object.fromEntries(original));
    expect(touched, 'the shards step opened a raw input').toEqual([]);

    // fail safe: b's marker from an older version (no hash), d's file touched since the filter read it
    const mk = readJson<Marker>(marker(1));
    delete mk.stats.raw;
    fs.writeFileSync(marker(1), JSON.stringify(mk));
    fs.utimesSync(path.join(dir, 'd.csv'), MTIME + 1, MTIME + 1);
    const now = (f: string) => sha(fs.readFileSync(path.join(dir, f)));
    const want = Object.fromEntries(INPUTS.map((f) => [f, f === 'b.jsonl.gz' || f === 'd.csv' ? now(f) : original.get(f)]));
    touched.length = 0;
    expect(shaOf(await publish())).toEqual(want);
    expect(touched.map((t) => path.basename(t.split(' ')[1])).sort()).toEqual(['b.jsonl.gz', 'd.csv']);
  });
});

describe('the raw hash as a reader sees the file', () => {
  it('openInput hands every raw (compressed) chunk to onRead, in order', async () => {
    const d = tmpDir('vern-rawsha-');
    const f = path.join(d, 'x.jsonl.gz');
    const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `{"i":${i},"t":"${'ab'.repeat(i % 50)}"}`).join('\n'));
    fs.writeFileSync(f, zlib.gzipSync(text, { level: 0 }));
    const chunks: Buffer[] = [];
    let counted = 0;
    const dec: Buffer[] = [];
    for await (const c of openInput(f, (n, chunk) => (counted += n, chunks.push(Buffer.from(chunk))), 4096)) dec.push(c as Buffer);
    expect(chunks.length).toBeGreaterThan(3);
    expect(Buffer.concat(chunks).equals(fs.readFileSync(f))).toBe(true);
    expect(counted).toBe(fs.statSync(f).size);
    expect(Buffer.concat(dec).equals(text)).toBe(true);
  });

  it('RawSha trusts its running hash only when it covered the whole file (a reader that stopped early, or never saw the bytes, is hashed on its own)', () => {
    const d = tmpDir('vern-rawsha-');
    const f = path.join(d, 'x.csv');
    const b = Buffer.from('a,b\n1,2\n3,4\n5,6\n');
    fs.writeFileSync(f, b);
    for (const cut of [0, 1, 7, b.length]) {
      const r = new RawSha(f, 'x.csv');
      r.update(b.subarray(0, cut));
      expect(r.done(), `after ${cut} bytes`).toMatchObject({ path: 'x.csv', bytes: b.length, sha256: sha(b) });
    }
    // a running hash over the file's size is taken as it is (not the file's hash again)
    const r = new RawSha(f, 'x.csv');
    r.update(Buffer.alloc(b.length, 1));
    expect(r.done().sha256).toBe(sha(Buffer.alloc(b.length, 1)));
  });
});
