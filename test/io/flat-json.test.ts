import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlatScan, memberValue, scanFlatObject } from '../../src/io/flat-json.js';
import { runFilter } from '../../src/eligibility/filter-stage.js';
import { loadConfig } from '../../src/config/load.js';
import { readJsonl } from '../../src/io/readers/jsonl.js';
import { loadZstd } from '../../src/io/zstd.js';
import { FIELDS, prng, readDecompressed, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

/** The text of the one docs part in a folder, whatever its compression. */
function partText(dir: string): string {
  const parts = fs.readdirSync(dir).filter((f) => f.startsWith('part-00000.jsonl'));
  expect(parts).toHaveLength(1);
  return readDecompressed(path.join(dir, parts[0])).toString('utf8');
}

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

/** What the scanner says about a line, checked against JSON.parse. */
function check(line: string): boolean {
  const b = Buffer.from(line);
  const sc = new FlatScan();
  const ok = scanFlatObject(b, 0, b.length, sc);
  let parsed: unknown;
  let valid = true;
  try {
    // what a reader sees: the bytes decoded (a lone surrogate in a JS string became U+FFFD in them)
    parsed = JSON.parse(b.toString('utf8'));
  } catch {
    valid = false;
  }
  if (!ok) return false;
  // accepted ⇒ valid JSON, a flat object, the same members in the same order with the same values
  expect(valid, line).toBe(true);
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), line).toBe(true);
  const got: Array<[string, unknown]> = [];
  for (let k = 0; k < sc.n; k++) got.push([b.toString('utf8', sc.keyStart[k], sc.keyEnd[k]), memberValue(b, sc, k)]);
  const want = new Map<string, unknown>();
  for (const [k, v] of got) want.set(k, v);
  for (const [k, v] of Object.entries(parsed as object)) {
    expect(typeof v === 'object' && v !== null, `${line}: nested value accepted`).toBe(false);
    expect(want.get(k), `${line}: member ${k}`).toEqual(v);
  }
  expect(new Set(got.map(([k]) => k)).size).toBe(Object.keys(parsed as object).length);
  return true;
}

describe('flat JSON scanner', () => {
  it('accepts flat objects and gives JSON.parse values', () => {
    for (const l of [
      '{}',
      ' { } ',
      '{"a":1}',
      '{"a":-0.5e+10,"b":true,"c":false,"d":null,"e":"x"}',
      '{"t":"caf\\u00e9 \\"quoted\\" \\\\ \\/ \\n\\t\\r\\b\\f","n":0}',
      '{"emoji":"😅 – ß","1":2}',
      '{ "a" : "b" , "c" : 12 }',
      '{"dup":1,"dup":2}',
      '{"big":12345678901234567890,"e":1E3}',
    ])
      expect(check(l), l).toBe(true);
  });

  it('refuses what it does not handle and everything JSON.parse refuses', () => {
    for (const l of [
      '',
      '[]',
      '"x"',
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{"a\\u0062":1}',
      '{"a":1,}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":-}',
      '{"a":1e}',
      '{"a":tru}',
      '{"a":"\\x"}',
      '{"a":"\\u12"}',
      '{"a":"tab\there"}',
      '{"a":"unterminated}',
      '{"a" 1}',
      '{a:1}',
      '{"a":1} x',
      '{"a":1}}',
      '{"a":NaN}',
    ])
      expect(check(l), l).toBe(false);
  });

  it('fuzz: 20,000 generated and mutated lines — accepted means JSON.parse agrees', () => {
    const r = prng(42);
    const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
    const chars = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u0001', 'é', '😅', '\u2028', '\ud800', '{', '}', ',', ':', '0'];
    const str = () => Array.from({ length: Math.floor(r() * 8) }, () => pick(chars)).join('');
    const value = (): unknown => pick([() => str(), () => Math.floor(r() * 1e6) / (r() < 0.5 ? 1 : 1000) - 500, () => r() < 0.5, () => null, () => 1e21 * r(), () => ({ x: 1 }), () => [1]])();
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      const obj: { [k: string]: unknown } = {};
      for (let k = Math.floor(r() * 6); k > 0; k--) obj[r() < 0.2 ? str() : pick(['id', 'body', 'text', 'x', 'created'])] = value();
      let line = JSON.stringify(obj, null, r() < 0.2 ? 1 : undefined).replace(/\n/g, ' ');
      if (r() < 0.5) {
        // mutate: delete, insert or change a byte
        const i = Math.floor(r() * (line.length + 1));
        const c = pick(['"', '\\', ',', ':', '}', '{', ' ', 'e', '-', '.', '0', 'u', '\u0002']);
        line = pick([() => line.slice(0, i) + line.slice(i + 1), () => line.slice(0, i) + c + line.slice(i), () => line.slice(0, i) + c + line.slice(i + 1)])();
      }
      if (check(line)) accepted++;
    }
    expect(accepted).toBeGreaterThan(3000);
  });
});

describe('filter: the flat JSONL path gives the docs the JSON.parse path gives', () => {
  it('on tricky rows: escapes, nested meta, duplicates, __proto__, size limit, bad types, bad JSON', async () => {
    const d = tmpDir('vern-flat-');
    const base = record();
    const long = 'ü'.repeat(60);
    const rows: unknown[] = [
      base,
      { ...base, post_id: 'p2', body: 'Zitat: "so is des" \\ Pfad/Datei\nneue Zeile\ttab 😅' },
      '{"post_id":"p3","user_id":"u1","body":"caf\\u00e9 \\ud83d\\ude05 \\/","created":"2025-03-01T10:00:00Z","country_code":"AT","audience":"public","type":"post","user_birth_date":"1990-05-05","is_deleted":false,"client":"web","n":1.50,"z":null}',
      { ...base, post_id: 'p4', extra: { nested: [1, 2] } },
      '{"post_id":"p5","post_id":"p5b","user_id":"u1","body":"dup id","created":"2025-03-01T10:00:00Z","country_code":"AT","audience":"public","type":"post","user_birth_date":"1990-05-05","is_deleted":false}',
      '{"post_id":"p6","__proto__":"x","user_id":"u1","body":"proto","created":"2025-03-01T10:00:00Z","country_code":"AT","audience":"public","type":"post","user_birth_date":"1990-05-05","is_deleted":false}',
      { ...base, post_id: 'p7', body: long },
      { ...base, post_id: 'p8', body: 42 },
      { ...base, post_id: 8, user_id: 77, country_code: ' at ', audience: 'PUBLIC' },
      '{"post_id":"p9","user_id":"u1","body":"no close"',
      { ...base, post_id: 'p10', lang: 'de', body: 'mit Hinweis' },
      { ...base, post_id: 'p11', audience: 'private', body: 'privat' },
      '{"post\\u005fid":"p12","user_id":"u1","body":"escaped key","created":"2025-03-01T10:00:00Z","country_code":"AT","audience":"public","type":"post","user_birth_date":"1990-05-05","is_deleted":false}',
      '  {"post_id" : "p13" , "user_id":"u1","body":"spaces","created":1740823200,"country_code":"AT","audience":"public","type":"post","user_birth_date":"1990-05-05","is_deleted":0}  ',
    ];
    writeJsonl(path.join(d, 'in.jsonl'), rows);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], limits: { max_text_bytes: 100 }, fields: { ...FIELDS, lang_hint: 'lang' } });
    const loaded = loadConfig(cfg);
    const ctx = (out: string) => ({ stage: 'filter', rank: 0, world: 1, out, loaded, secret: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', quiet: true, log: () => {} });
    const fast = await runFilter(ctx(path.join(d, 'fast')));
    const map = await runFilter(ctx(path.join(d, 'map')), { jsonlPath: 'map' });
    const slow = await runFilter(ctx(path.join(d, 'slow')), { jsonlPath: 'parse' });
    expect(fast.funnel).toEqual(slow.funnel);
    expect(map.funnel).toEqual(slow.funnel);
    expect(fast.funnel.kept).toBeGreaterThanOrEqual(8);
    expect(fast.funnel.malformed).toBeGreaterThanOrEqual(3);
    const docs = (o: string) => partText(path.join(d, o, 'filter/docs')).trim().split('\n');
    const a = docs('fast');
    const b = docs('slow');
    // the same docs with their keys in the same order (escapes in copied strings are kept as written)
    const norm = (l: string) => JSON.stringify(JSON.parse(l));
    expect(a.map(norm)).toEqual(b.map(norm));
    expect(docs('map').map(norm)).toEqual(b.map(norm));
    for (const o of ['fast', 'map'])
      for (const sub of ['excluded', 'errors']) expect(fs.readFileSync(path.join(d, o, 'filter', sub, 'part-00000.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(d, 'slow/filter', sub, 'part-00000.jsonl'), 'utf8'));
    // the raw path really ran: escapes survive as the input wrote them
    expect(a.find((l) => l.includes('"p3"'))).toContain('caf\\u00e9');
  });

  it.runIf(loadZstd())('docs are zstd by default; gz and none write the same lines, and a part left in another compression is dropped', async () => {
    const d = tmpDir('vern-zst-');
    writeJsonl(path.join(d, 'in.jsonl'), Array.from({ length: 500 }, (_, i) => record({ post_id: `p${i}`, body: `Servus ${i}, gemma?` })));
    const ctx = (cfg: string) => ({ stage: 'filter', rank: 0, world: 1, out: path.join(d, 'out'), loaded: loadConfig(cfg), secret: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', quiet: true, log: () => {} });
    const docsDir = path.join(d, 'out/filter/docs');
    const zst = await runFilter(ctx(writeConfig(d, { inputs: [{ path: 'in.jsonl' }] })));
    expect(fs.readdirSync(docsDir)).toEqual(['part-00000.jsonl.zst']);
    // the project's own reader (native decoder) and fzstd agree
    const rows = await all(readJsonl(path.join(docsDir, 'part-00000.jsonl.zst'), 1 << 20));
    const zstDocs = partText(docsDir);
    expect(rows.map((r) => JSON.stringify(r.fields) + '\n').join('')).toBe(zstDocs);
    expect(zst.funnel.kept).toBe(500);
    for (const [compression, name] of [['gz', 'part-00000.jsonl.gz'], ['none', 'part-00000.jsonl']]) {
      const r = await runFilter(ctx(writeConfig(d, { inputs: [{ path: 'in.jsonl' }], output: { compression } })));
      expect(r.skipped).toBe(0); // a different config: the part is written again
      expect(fs.readdirSync(docsDir)).toEqual([name]);
      expect(partText(docsDir)).toBe(zstDocs);
      expect(r.funnel).toEqual(zst.funnel);
      // gzip really is gzip (its magic bytes), not a plain file under a .gz name
      if (compression === 'gz') expect([...fs.readFileSync(path.join(docsDir, name)).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    }
  });
});
