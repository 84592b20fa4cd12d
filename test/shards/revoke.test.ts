import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { authorPseudonym } from '../../src/eligibility/objections.js';
import { revoke } from '../../src/shards/revoke.js';
import { verifyShards } from '../../src/shards/verify.js';
import { InputError, UsageError } from '../../src/errors.js';
import { ROOT, cli, readDecompressed, snapshot, tmpDir, walk, writeConfig, writeJsonl } from '../helpers.js';

const require = createRequire(import.meta.url);
const SECRET = '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2';
const AUTHORS = 10;
/** A canary per author, letters only (PII scrubbing and tokenisation leave it whole), at both ends of every post of the author. */
const canary = (k: number) => `Kanari${String.fromCharCode(97 + k)}${String.fromCharCode(122 - k)}vogel`;
/** Author ids with a non-ASCII letter, written NFC in the export: the registry spells them otherwise. */
const authorId = (k: number) => `J\u00fcrgen-${k}`;

/** Every file of a folder as text: zst/gz decompressed, Parquet read row by row (hyparquet), SQLite dumped table by table (better-sqlite3). */
async function readAll(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of walk(dir)) {
    const rel = path.relative(dir, f);
    if (f.endsWith('.parquet')) {
      const b = fs.readFileSync(f);
      const rows = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, compressors });
      out.set(rel, JSON.stringify(rows));
    } else if (f.endsWith('.sqlite')) {
      const Database = require('better-sqlite3');
      const db = new Database(f, { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      out.set(rel, tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n') + '\n' + fs.readFileSync(f, 'latin1'));
      db.close();
    } else out.set(rel, readDecompressed(f).toString('utf8'));
  }
  return out;
}

const holding = (files: Map<string, string>, s: string) => [...files].filter(([, t]) => t.includes(s)).map(([f]) => f);

describe('shards revoke on a whole build (canary)', () => {
  let b: string;
  let victim: number;
  let before: Map<string, string>;
  beforeAll(async () => {
    const d = tmpDir('vern-revoke-fx-');
    // real posts of the sample (AT and DE, public), re-authored by AUTHORS fixture authors whose canary they carry
    const rows: Array<{ [k: string]: unknown }> = [];
    for (const f of ['posts-2025.jsonl'])
      for (const l of fs.readFileSync(path.join(ROOT, 'corpora/sample/export', f), 'utf8').split('\n').filter(Boolean)) {
        const r = JSON.parse(l);
        if (['AT', 'DE'].includes(r.country_code) && r.audience === 'public' && !r.is_deleted && r.type === 'post') rows.push(r);
      }
    // every other post spells its author's id in NFD: still one author, one pseudonym
    const posts = rows.map((r, i) => ({ ...r, user_id: i % 2 ? authorId(i % AUTHORS).normalize('NFD') : authorId(i % AUTHORS), body: `${canary(i % AUTHORS)} ${r.body} ${canary(i % AUTHORS)}` }));
    writeJsonl(path.join(d, 'export.jsonl'), posts);
    fs.writeFileSync(path.join(d, 'objections.csv'), 'author_id,objected_at\nnobody,2025-01-01\n');
    const cfg = writeConfig(d, {
      inputs: [{ path: 'export.jsonl' }],
      objections: { paths: ['objections.csv'], id_field: 'author_id' },
      policy: { window: { from: '2024-01-01', to: '2026-05-31' } },
      segment: { locales: ['de-DE', 'de-AT'] },
      shards: { balance: { strategy: 'uniform' }, splits: { train: 0.4, validation: 0.1, test: 0.5 }, formats: ['jsonl', 'parquet'] },
    });
    b = path.join(d, 'build');
    const r = cli(['run', '-c', cfg, '-o', b, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const rv = cli(['review', 'export', '--build', b, '--locale', 'de-AT', '--n', '1000', '--stratify', 'none', '--out', path.join(b, 'review', 'de-AT.csv')]);
    expect(rv.status, rv.stderr).toBe(0);
    const dc = cli(['discover', '--build', b, '--locale', 'de-AT', '--against', 'de-DE', '--min-authors', '1', '--out', path.join(b, 'discover-de-AT.csv')]);
    expect(dc.status, dc.stderr).toBe(0);
    // a file revoke cannot know (a note someone left, quoting every author): it must not be carried over
    fs.writeFileSync(path.join(b, 'notes.txt'), [...Array(AUTHORS).keys()].map(canary).join('\n'));
    before = await readAll(b);
    // the victim: an author of the test split, so their text is in the eval sets, samples and the review store
    const evalSets = [...before].filter(([f]) => f.startsWith('eval/sets/')).map(([, t]) => t).join('\n');
    victim = [...Array(AUTHORS).keys()].find((k) => evalSets.includes(canary(k)) && before.get('review/review.sqlite')!.includes(canary(k)))!;
    expect(victim, 'a test-split author reviewed in de-AT').toBeDefined();
  }, 300_000);

  /** Revoke with a registry that spells the victim's id as given; returns the new version's folder. */
  function revokeWith(idSpelling: string, extra: string[] = []): { out: string; r: ReturnType<typeof cli> } {
    const d = tmpDir('vern-revoke-');
    fs.writeFileSync(path.join(d, 'new.csv'), `author_id,objected_at\n"${idSpelling}",2026-07-01T00:00:00Z\n`);
    const out = path.join(d, 'v2');
    return { out, r: cli(['shards', 'revoke', '--build', b, '--objections', path.join(d, 'new.csv'), '--out', out, ...extra]) };
  }

  it('positive control: the victim\'s canary is in every kind of artifact before the revocation', () => {
    const where = holding(before, canary(victim));
    for (const re of [/^filter\/docs\//, /^segment\/docs\//, /^features\/docs\//, /^shards\/data\//, /^shards\/parquet\//, /^shards-proportional\//, /^eval\/sets\//, /^eval\/runs\/.*samples\.jsonl$/, /^review\/review\.sqlite$/, /^review\/de-AT\.csv$/])
      expect(where.some((f) => re.test(f)), `${re} holds the canary before revoke`).toBe(true);
  });

  it('one author, one pseudonym: the shards carry the pseudonym of the normalised id, whichever spelling a post had', () => {
    const seen = new Map<number, Set<string>>();
    for (const [f, t] of before) {
      if (!f.startsWith('shards/data/')) continue;
      for (const l of t.split('\n').filter(Boolean)) {
        const d = JSON.parse(l) as { author: string; text: string };
        const k = [...Array(AUTHORS).keys()].find((j) => d.text.includes(canary(j)))!;
        (seen.get(k) ?? seen.set(k, new Set()).get(k)!).add(d.author);
      }
    }
    expect(seen.size).toBeGreaterThan(AUTHORS / 2);
    for (const [k, set] of seen) expect([...set], authorId(k)).toEqual([authorPseudonym(SECRET, authorId(k), false)]);
  });

  it.each([
    ['NFD spelling with surrounding spaces', (k: number) => `  ${authorId(k).normalize('NFD')}\t`, []],
    ['upper case with --case-insensitive', (k: number) => authorId(k).toUpperCase(), ['--case-insensitive']],
  ])('%s: the canary is nowhere in the new version, everything else is, the parent is untouched', async (_name, spell, extra) => {
    const parentBefore = snapshot(b);
    const { out, r } = revokeWith(spell(victim), extra as string[]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^revoked 1 of 1 authors/);
    const after = await readAll(out);
    expect(holding(after, canary(victim))).toEqual([]);
    // the reader sees content: the other authors' canaries survive where they were
    const other = (victim + 1) % AUTHORS;
    for (const f of holding(before, canary(other)).filter((x) => after.has(x))) expect(after.get(f), f).toContain(canary(other));
    expect(holding(after, canary(other)).some((f) => f.startsWith('eval/sets/') || f.startsWith('shards/'))).toBe(true);
    // models, scores, reports and caches over the parent are not carried over
    for (const f of after.keys()) expect(f).not.toMatch(/^(baseline|judge|signatures)\/|\.html$|results\.json$|cache\.sqlite$|_done\/|^discover|^notes/);
    const report = JSON.parse(after.get('revoke_report.json')!);
    expect(report.withheld).toEqual(['notes.txt']);
    expect(report.warnings).toEqual([]);
    expect(report.stale.map((x: { path: string }) => x.path)).toEqual(expect.arrayContaining(['discover-de-AT.csv', 'eval/runs/compare/results.json', 'eval/runs/compare/cache.sqlite', 'baseline/balanced.json.gz', 'judge/judge.json.gz', 'report.html']));
    // the parent is byte-identical
    const parentAfter = snapshot(b);
    expect([...parentAfter.keys()]).toEqual([...parentBefore.keys()]);
    for (const [k, v] of parentBefore) expect(parentAfter.get(k)!.equals(v), k).toBe(true);
    // lineage: keyed hash of the author, time, files rewritten with counts; the parent named by its manifest hash
    const m = JSON.parse(fs.readFileSync(path.join(out, 'shards', 'manifest.json'), 'utf8'));
    const rec = m.revocations.at(-1);
    // the pseudonym the parent's shards carry for the victim (one author, however the registry spells the id)
    expect(rec.authors).toEqual([authorPseudonym(SECRET, authorId(victim), false)]);
    expect(Date.parse(rec.at)).toBeGreaterThan(Date.parse('2026-01-01'));
    const files = rec.rewritten.map((x: { path: string }) => x.path);
    for (const re of [/^filter\/docs\//, /^segment\/docs\//, /^features\/docs\//, /^shards\/data\//, /^shards-proportional\//, /^eval\/sets\//, /^review\/review\.sqlite$/, /^review\/de-AT\.csv$/]) expect(files.some((f: string) => re.test(f)), String(re)).toBe(true);
    for (const x of rec.rewritten) expect(x.removed).toBeGreaterThan(0);
    expect(m.parent.manifest_sha256).toBe(createHash('sha256').update(fs.readFileSync(path.join(b, 'shards', 'manifest.json'))).digest('hex'));
    expect(JSON.stringify(m)).not.toContain(authorId(victim));
    for (const set of ['shards', 'shards-proportional']) expect(verifyShards(path.join(out, set)).problems).toEqual([]);
  }, 120_000);

  it('an id that only matches with --case-insensitive revokes nothing without it (ids are otherwise exact)', async () => {
    const d = tmpDir('vern-revoke-');
    fs.writeFileSync(path.join(d, 'new.csv'), `author_id,objected_at\n${authorId(victim).toUpperCase()},2026-07-01\n`);
    const { report } = await revoke({ build: b, objections: path.join(d, 'new.csv'), out: path.join(d, 'v2'), secret: SECRET });
    expect(report.authors_found).toBe(0);
    expect(report.rewritten).toEqual([]);
  });

  it('refuses (exit 2) an --out it did not create, and the folder stays as it was', async () => {
    const parentBefore = snapshot(b);
    const busy = tmpDir('vern-busy-');
    fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
    const aFile = path.join(tmpDir('vern-file-'), 'f.txt');
    fs.writeFileSync(aFile, 'mine');
    const d = tmpDir('vern-revoke-');
    const reg = path.join(d, 'new.csv');
    fs.writeFileSync(reg, `author_id,objected_at\n${authorId(victim)},2026-07-01\n`);
    for (const [out, msg] of [
      [b, /is the build itself/],
      [path.join(b, 'shards'), /inside the build/],
      [path.join(b, 'v2'), /inside the build/],
      [path.dirname(b), /contains the build/],
      [busy, /exists and is not empty/],
      [aFile, /not a folder/],
    ] as Array<[string, RegExp]>) {
      const e = await revoke({ build: b, objections: reg, out, secret: SECRET }).then(() => null, (x: unknown) => x);
      expect(e, out).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(msg);
    }
    // the CLI maps it to exit 2 with the message
    const r = cli(['shards', 'revoke', '--build', b, '--objections', reg, '--out', b]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is the build itself/);
    expect(fs.readdirSync(busy)).toEqual(['keep.txt']);
    expect(fs.readFileSync(aFile, 'utf8')).toBe('mine');
    // a shard set inside a build: the build must be named, so nothing is missed
    await expect(revoke({ build: path.join(b, 'shards'), objections: reg, out: path.join(d, 'v3'), secret: SECRET })).rejects.toThrow(/pass the build folder/);
    expect(fs.existsSync(path.join(d, 'v3'))).toBe(false);
    // no staging folder left behind by a refusal, and the parent is byte-identical
    expect(fs.readdirSync(d)).toEqual(['new.csv']);
    const parentAfter = snapshot(b);
    expect([...parentAfter.keys()]).toEqual([...parentBefore.keys()]);
    for (const [k, v] of parentBefore) expect(parentAfter.get(k)!.equals(v), k).toBe(true);
  }, 60_000);

  it('a standalone shard set (a published copy) is revoked on its own; a damaged parent stops it with an input error and no half version', async () => {
    const d = tmpDir('vern-revoke-');
    const copy = path.join(d, 'published');
    fs.cpSync(path.join(b, 'shards'), copy, { recursive: true });
    fs.writeFileSync(path.join(d, 'new.csv'), `author_id,objected_at\n${authorId(victim).normalize('NFD')},2026-07-01\n`);
    const { report } = await revoke({ build: copy, objections: path.join(d, 'new.csv'), out: path.join(d, 'v2'), secret: SECRET });
    expect(report.authors_found).toBe(1);
    const after = await readAll(path.join(d, 'v2'));
    expect(holding(after, canary(victim))).toEqual([]);
    expect(holding(after, canary((victim + 1) % AUTHORS)).length).toBeGreaterThan(0);
    // a shard that no longer matches its manifest: input error (exit 3), nothing written, no staging left
    const shard = walk(path.join(copy, 'data')).find((f) => readDecompressed(f).toString('utf8').includes(canary(victim)))!;
    fs.appendFileSync(shard, 'x');
    const e = await revoke({ build: copy, objections: path.join(d, 'new.csv'), out: path.join(d, 'v3'), secret: SECRET }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/does not match its manifest/);
    expect(fs.readdirSync(d).sort()).toEqual(['new.csv', 'published', 'v2']);
  });

  it("refuses (exit 2) a key other than the build's, which would match nobody", async () => {
    const d = tmpDir('vern-revoke-');
    fs.writeFileSync(path.join(d, 'new.csv'), `author_id,objected_at\n${authorId(victim)},2026-07-01\n`);
    await expect(revoke({ build: b, objections: path.join(d, 'new.csv'), out: path.join(d, 'v2'), secret: 'another-secret-0123456789abcdef' })).rejects.toThrow(UsageError);
    expect(fs.existsSync(path.join(d, 'v2'))).toBe(false);
  });
});
