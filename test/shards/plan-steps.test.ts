import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DedupIndex, DEFAULT_DEDUP } from '../../src/shards/dedupe.js';
import { Names, writeColumns } from '../../src/io/columns.js';
import { ExternalSorter } from '../../src/io/extsort.js';
import { seededHash } from '../../src/hash.js';
import { assignSplits } from '../../src/shards/splits.js';
import { AUTHORS, type SigHeader } from '../../src/shards/signatures.js';
import { inMemoryPlan } from '../../src/shards/plan/in-memory.js';
import { clustersDir, dedupDir, pairsDir, planBudget, planRanges, sigParts, type PlanSetup } from '../../src/shards/plan/common.js';
import { runDedupPairs } from '../../src/shards/plan/pairs.js';
import { runDedupClusters, uniqueSorted, writeTimeKey } from '../../src/shards/plan/clusters.js';
import { runShardsCounts } from '../../src/shards/plan/counts.js';
import { AuthorSplits, readQuotas, runShardsQuotas } from '../../src/shards/plan/quotas.js';
import { readSamples, runShardsSample } from '../../src/shards/plan/sample.js';
import { docPlan, planTables } from '../../src/shards/plan/tables.js';
import { readCompletion, type CompletionIndex } from '../../src/pipeline/runner.js';
import { ROOT, tmpDir } from '../helpers.js';
import { rng } from '../../src/evaluate/metrics.js';


const fixture = fs
  .readFileSync(path.join(ROOT, 'test/fixtures/dedup/pairs.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { a: string; b: string; dup: boolean });

const LOCALES = ['de-AT', 'fr-BE', 'nl-NL'];

/**
 * Signature files as the `signatures` step writes them, for a corpus of the labelled dedup
 * fixture's texts (both sides of every pair, so true and false near-duplicates), exact copies,
 * short posts, a flood of near-copies larger than a bucket's CAP, a few prolific authors (the
 * author cap binds) and many one-post authors, spread over partitions and locales.
 */
function corpus(seed: number, out: string): { sigIndex: CompletionIndex; files: string[] } {
  const r = rng(seed);
  const texts: string[] = [];
  for (const p of fixture) texts.push(p.a, p.b);
  for (let i = 0; i < 40; i++) texts.push(texts[Math.floor(r() * texts.length)].toUpperCase() + ' !!');
  for (let i = 0; i < 20; i++) texts.push(`ok ${i % 4}`);
  const flood = 'Gewinnspiel! Teile diesen Beitrag und gewinne ein nagelneues Fahrrad, Ziehung am Sonntag um acht';
  for (let i = 0; i < 90; i++) texts.push(flood.replace('acht', ['acht', 'neun', 'zehn', 'elf', 'zwölf'][i % 5]) + ' ' + 'x'.repeat(i % 7));
  const nParts = 2 + Math.floor(r() * 4);
  const parts: Array<{ key: string; texts: string[] }> = Array.from({ length: nParts }, (_, i) => ({ key: `${LOCALES[i % LOCALES.length]}/part-${String(i).padStart(5, '0')}`, texts: [] }));
  for (const t of texts) parts[Math.floor(r() * nParts)].texts.push(t);
  const sigDir = path.join(out, 'signatures');
  const files: string[] = [];
  const index: CompletionIndex = { v: 2, stage: 'signatures', fingerprint: `fp-${seed}`, partitions: [] };
  parts.sort((a, b) => (a.key < b.key ? -1 : 1));
  let docId = 0;
  for (const p of parts) {
    const dedup = new DedupIndex(DEFAULT_DEDUP, false);
    const authors: string[] = [];
    const author: number[] = [];
    const locale: number[] = [];
    const chars: number[] = [];
    for (const t of p.texts) {
      // a few prolific authors, the rest one or two posts each; pseudonyms are 32 hex chars
      const u = r() < 0.35 ? `prolific${Math.floor(r() * 3)}` : `user${Math.floor(r() * 400)}`;
      const a = seededHash(7, u).toString(16).padStart(32, '0');
      let ai = authors.indexOf(a);
      if (ai < 0) ai = authors.push(a) - 1;
      author.push(ai);
      locale.push(r() < 0.7 ? LOCALES.indexOf(p.key.slice(0, 5)) : Math.floor(r() * LOCALES.length));
      chars.push(t.length);
      const id = `d${docId++}`;
      // equal times happen (tie key, then index decide)
      dedup.add({ id, createdAt: new Date(Date.UTC(2025, 0, 1 + Math.floor(r() * 30))).toISOString(), text: t, tie: seededHash(seed, 'sample', id) });
    }
    const c = dedup.columns();
    const header: SigHeader = { v: 3, key: p.key, n: c.n, segment: { [p.key.slice(0, 5)]: c.n + 3, 'other=xx': 2 } };
    const rel = `${p.key}.bin`;
    const f = path.join(sigDir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    writeColumns(f, header, { author: Uint32Array.from(author), locale: Uint8Array.from(locale), chars: Uint32Array.from(chars), sigs: c.sigs, bandKeys: c.bandKeys, exactKeys: c.exactKeys, times: c.times, ties: c.ties, shortFlags: c.shortFlags, ...Names.of(authors).columns(AUTHORS) });
    files.push(f);
    index.partitions.push({ key: p.key, fingerprint: `${seed}-${p.key}`, outputs: [{ path: rel, bytes: fs.statSync(f).size }] });
  }
  return { sigIndex: index, files };
}

type Balance = PlanSetup['balance'];
const balanceBase: Balance = { strategy: 'uniform', alpha: 0.5, targets: {}, min: 0, max_repeat: 1, author_cap: 0.2 };

async function steps(s: PlanSetup) {
  const pairs = (await runDedupPairs(s))!;
  const clusters = await runDedupClusters(s, pairs);
  const counts = (await runShardsCounts(s, clusters))!;
  const quotas = await runShardsQuotas(s, counts);
  await runShardsSample(s, quotas);
  return planTables(s);
}

describe('the plan as map/reduce steps equals the in-memory plan', () => {
  // varied balance configs: caps that bind, repeats, targets beyond supply, a zero target
  const configs: Array<[string, Partial<Balance>]> = [
    ['uniform, cap 20%', {}],
    ['proportional, cap 5%, repeats up to 3, total beyond supply', { strategy: 'proportional', total_docs: 2000, max_repeat: 3, author_cap: 0.05 }],
    ['temperature, total_chars', { strategy: 'temperature', alpha: 0.3, total_chars: 40_000, author_cap: 0.5 }],
    ['targets with a zero and one beyond supply, cap 0 (one doc per author), repeats', { strategy: 'targets', targets: { 'de-AT': 0, 'fr-BE': 50, 'nl-NL': 900 }, max_repeat: 4, author_cap: 0 }],
    ['uniform with min/max, no cap', { total_docs: 300, min: 40, max: 120, author_cap: 1 }],
  ];
  for (const [seed, [name, over]] of configs.entries()) {
    it(`${name} (corpus seed ${seed + 1})`, async () => {
      const out = tmpDir('vern-plan-');
      const { sigIndex, files } = corpus(seed + 1, out);
      const { parts, total } = sigParts(sigIndex, path.join(out, 'signatures'));
      const balance = { ...balanceBase, ...over } as Balance;
      const splits = { train: 0.8, validation: 0.1, test: 0.1 };
      // every other config: a tiny sort budget (every task spills many runs; columns read 1–85 rows
      // at a time) and 1–3 key ranges, or a large budget (a partition in one chunk) and 24 ranges
      // (a pair task reads its sparse rows' signatures in several reads per chunk)
      const big = seed % 2 === 1;
      const s: PlanSetup = { out, work: path.join(out, 'shards-work', 'shards'), sigIndex, parts, total, seed: seed + 1, dedup: DEFAULT_DEDUP, balance, splits, localeNames: LOCALES, budget: big ? 1 << 20 : 4096, ranges: big ? 24 : 1 + (seed % 3), rank: 0, world: 1, quiet: true };
      const want = inMemoryPlan(files, { seed: seed + 1, dedup: DEFAULT_DEDUP, balance, splits, localeNames: LOCALES });
      const t = await steps(s);
      let taken = 0;
      let dropped = 0;
      for (const p of parts) {
        const got = docPlan(s, p, t);
        expect(Buffer.from(got.times).equals(Buffer.from(want.times.subarray(p.start, p.start + p.n))), `times ${p.key}`).toBe(true);
        expect(Buffer.from(got.split).equals(Buffer.from(want.split.subarray(p.start, p.start + p.n))), `split ${p.key}`).toBe(true);
        taken += got.times.reduce((a, b) => a + b, 0);
      }
      const q = readQuotas(s);
      expect(q.dedup).toEqual(Object.fromEntries(Object.entries(want.dedupCounts).sort()));
      expect(q.segment).toEqual(Object.fromEntries(Object.entries(want.segmentCounts).sort()));
      expect(JSON.stringify(Object.fromEntries([...readSamples(s)].map(([l, x]) => [l, x.plan])))).toBe(JSON.stringify(want.balance));
      for (const d of Object.values(q.dedup)) dropped += d.duplicates;
      // the corpus is not trivial: duplicates found, docs taken, and (with repeats) some taken twice
      expect(dropped).toBeGreaterThan(60);
      expect(taken).toBeGreaterThan(0);
      // the components: union-find in memory at the large budget, sorted-run rounds at the tiny one
      const cc = JSON.parse(fs.readFileSync(path.join(clustersDir(s), '_done', 'all.json'), 'utf8')).stats;
      if (big) expect(cc.rounds).toBe(0);
      else expect(cc.rounds).toBeGreaterThan(1);
    });
  }

  it('a pair naming a doc beyond the signature files is an input error, with the union-find and with the rounds', async () => {
    for (const budget of [1 << 20, 4096]) {
      const out = tmpDir('vern-plan-');
      const { sigIndex } = corpus(1, out);
      const { parts, total } = sigParts(sigIndex, path.join(out, 'signatures'));
      const s: PlanSetup = { out, work: path.join(out, 'shards-work', 'shards'), sigIndex, parts, total, seed: 1, dedup: DEFAULT_DEDUP, balance: balanceBase, splits: { train: 0.8, validation: 0.1, test: 0.1 }, localeNames: LOCALES, budget, ranges: 1, rank: 0, world: 1, quiet: true };
      const pairs = (await runDedupPairs(s))!;
      const o = pairs.partitions.flatMap((p) => p.outputs).find((x) => x.bytes > 0)!;
      fs.appendFileSync(path.join(pairsDir(s), o.path), Buffer.from(new Uint32Array([total + 5, 0]).buffer));
      await expect(runDedupClusters(s, pairs), `budget ${budget}`).rejects.toThrow(new RegExp(`names doc ${total + 5}, beyond the ${total} docs`));
    }
  });

  it('a second world-1 pass runs nothing again; 2 ranks then the merge give the same tables', async () => {
    const out = tmpDir('vern-plan-');
    const { sigIndex } = corpus(11, out);
    const { parts, total } = sigParts(sigIndex, path.join(out, 'signatures'));
    const base: PlanSetup = { out, work: path.join(out, 'shards-work', 'shards'), sigIndex, parts, total, seed: 11, dedup: DEFAULT_DEDUP, balance: { ...balanceBase, author_cap: 0.05 }, splits: { train: 0.8, validation: 0.1, test: 0.1 }, localeNames: LOCALES, budget: 1 << 20, ranges: 2, rank: 0, world: 1, quiet: true };
    const one = await steps(base);
    const plans = parts.map((p) => docPlan(base, p, one));
    const out2 = tmpDir('vern-plan-');
    corpus(11, out2);
    const b2 = { ...base, out: out2, work: path.join(out2, 'shards-work', 'shards'), parts: sigParts(sigIndex, path.join(out2, 'signatures')).parts };
    for (const rank of [0, 1]) await runDedupPairs({ ...b2, rank, world: 2 });
    const pairs = (await runDedupPairs(b2))!;
    const clusters = await runDedupClusters(b2, pairs);
    for (const rank of [1, 0]) await runShardsCounts({ ...b2, rank, world: 2 }, clusters);
    const quotas = await runShardsQuotas(b2, (await runShardsCounts(b2, clusters))!);
    for (const rank of [0, 1]) await runShardsSample({ ...b2, rank, world: 2 }, quotas);
    await runShardsSample(b2, quotas);
    const two = planTables(b2);
    b2.parts.forEach((p, i) => {
      const g = docPlan(b2, p, two);
      expect(Buffer.from(g.times).equals(Buffer.from(plans[i].times))).toBe(true);
      expect(Buffer.from(g.split).equals(Buffer.from(plans[i].split))).toBe(true);
    });
    // markers: the merge passes found everything done (no spill folders or stray files left)
    const left = fs.readdirSync(path.join(out2, 'dedup', 'pairs')).filter((f) => f.startsWith('.spill'));
    expect(left).toEqual([]);
  });
});

describe('the reduces from sorted streams', () => {
  it('repeats where the author cap binds in a later pass: the same takes, stop, caps and shortfall', async () => {
    const out = tmpDir('vern-plan-');
    const { sigIndex, files } = corpus(8, out);
    const { parts, total } = sigParts(sigIndex, path.join(out, 'signatures'));
    const splits = { train: 0.8, validation: 0.1, test: 0.1 };
    const base = { seed: 8, dedup: DEFAULT_DEDUP, splits, localeNames: LOCALES };
    const s0: PlanSetup = { out, work: path.join(out, 'shards-work', 'shards'), sigIndex, parts, total, ...base, balance: balanceBase, budget: 1 << 20, ranges: 1, rank: 0, world: 1, quiet: true };
    await steps(s0);
    // targets just under twice the supply: pass 2 runs, prolific authors hit the cap in it, some locales fall short
    const supply = Object.entries(readQuotas(s0).supply);
    const balance: Balance = { ...balanceBase, strategy: 'targets', max_repeat: 2, author_cap: 0.1, targets: Object.fromEntries(supply.map(([l, x], i) => [l, Math.floor(x.docs * [1.9, 1.5, 1.97][i % 3])])) };
    const want = inMemoryPlan(files, { ...base, balance });
    // the dedup and counts steps are done; quotas and sample run again for the new balance
    const s = { ...s0, balance, budget: 2048 };
    const counts = readCompletion(path.join(dedupDir(out), 'counts'), 'shards-counts', '');
    await runShardsSample(s, await runShardsQuotas(s, counts));
    const t = planTables(s);
    for (const p of parts) expect(Buffer.from(docPlan(s, p, t).times).equals(Buffer.from(want.times.subarray(p.start, p.start + p.n)))).toBe(true);
    const got = Object.fromEntries([...readSamples(s)].map(([l, x]) => [l, x.plan]));
    expect(JSON.stringify(got)).toBe(JSON.stringify(want.balance));
    expect(Object.values(want.balance).some((x) => x.shortfall?.startsWith('author cap'))).toBe(true);
    expect(Object.values(want.balance).some((x) => x.repeated > 0)).toBe(true);
  });

  it('time keys sort as the numbers: whole and fractional ms, negatives, neighbours one ulp apart', () => {
    const r = rng(3);
    const xs = [0, 1, -1, 1.7e12, 1.7e12 + 1, 1.7e12 + 0.5, -1.7e12, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324];
    for (let i = 0; i < 300; i++) xs.push((r() - 0.3) * 2 ** Math.floor(r() * 60), 1.6e12 + Math.floor(r() * 1e10), 1.6e12 + Math.floor(r() * 4) * 86_400_000 + Math.floor(r() * 3));
    const key = (x: number) => {
      const b = Buffer.alloc(8);
      writeTimeKey(x, b, 0);
      return b;
    };
    const bad: string[] = [];
    for (let i = 0; i < xs.length; i++)
      for (const y of [xs[(i * 7 + 1) % xs.length], xs[(i * 13 + 5) % xs.length], xs[i] * (1 + Number.EPSILON)]) if (Math.sign(Buffer.compare(key(xs[i]), key(y))) !== Math.sign(xs[i] - y)) bad.push(`${xs[i]} vs ${y}`);
    expect(bad).toEqual([]);
  });

  it('splits equal assignSplits on random (author, locale) tables: locales of 1 to 5 authors, ties, counts over partitions', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const r = rng(seed);
      const out = tmpDir('vern-quotas-');
      const nAuthors = 1 + Math.floor(r() * 12);
      const names = Array.from({ length: nAuthors }, (_, i) => seededHash(seed, `a${i}`).toString(16).padStart(32, '0'));
      const nParts = 1 + Math.floor(r() * 3);
      const parts = Array.from({ length: nParts }, (_, i) => ({ key: `de-AT/part-${String(i).padStart(5, '0')}`, file: '', fingerprint: `f${i}`, n: 10, start: 10 * i }));
      const total = new Map<number, number>();
      for (const p of parts) {
        // each partition lists its own authors (a subset, in its own order) and per (author, locale) counts
        const local = names.filter(() => r() < 0.7).sort(() => r() - 0.5);
        const ac = new Map<number, number>();
        for (let a = 0; a < local.length; a++)
          for (let l = 0; l < LOCALES.length; l++)
            if (r() < 0.5) {
              const n = 1 + Math.floor(r() * 3);
              ac.set(a * 256 + l, n);
              const g = names.indexOf(local[a]) * 256 + l;
              total.set(g, (total.get(g) ?? 0) + n);
            }
        const keys = [...ac.keys()].sort((x, y) => x - y);
        const locales = Object.fromEntries(LOCALES.map((l) => [l, { in: 5, duplicates: 1, docs: 4, chars: 40 }]));
        const f = path.join(dedupDir(out), 'counts', `${p.key}.bin`);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        writeColumns(f, { v: 2, key: p.key, n: p.n, segment: { 'de-AT': 10 }, locales }, { kLocal: new Uint32Array(0), kLocale: new Uint8Array(0), kTie: new Uint32Array(0), kAuthor: new Uint32Array(0), acKey: Float64Array.from(keys), acCount: Uint32Array.from(keys, (k) => ac.get(k)!), ...Names.of(local).columns(AUTHORS) });
      }
      const splits = [{ train: 0.8, validation: 0.1, test: 0.1 }, { train: 0.5, validation: 0, test: 0.5 }, { train: 1, validation: 0, test: 0 }][seed % 3];
      const s = { out, work: path.join(out, 'shards-work', 'shards'), sigIndex: { v: 2, stage: 'signatures', fingerprint: 'x', partitions: [] }, parts, total: 10 * nParts, seed, dedup: DEFAULT_DEDUP, balance: balanceBase, splits, localeNames: LOCALES, budget: 64 * (seed % 4) + 1, ranges: 1, rank: 0, world: 1, quiet: true } as PlanSetup;
      await runShardsQuotas(s, { v: 2, stage: 'shards-counts', fingerprint: `c${seed}`, partitions: [] });
      const sorted = names.filter((_, a) => [...total.keys()].some((k) => Math.floor(k / 256) === a)).sort();
      const want = assignSplits(seed, sorted, [...total].map(([k, n]) => [sorted.indexOf(names[Math.floor(k / 256)]) * 256 + (k % 256), n] as [number, number]), splits);
      const t = AuthorSplits.read(s);
      expect(t.n, `seed ${seed}`).toBe(sorted.length);
      expect(sorted.map((a) => t.of(a)), `seed ${seed}`).toEqual([...want]);
      expect(readQuotas(s).authors).toBe(sorted.length);
    }
  });
});

describe('the split table lookup', () => {
  it('finds what a map of the ids finds for the key\'s Latin-1 bytes: ids of 1–40 bytes sharing long prefixes, present and absent keys, other lengths, chars beyond Latin-1', () => {
    const r = rng(47);
    const alphabet = '0123456789abcdef ~';
    let found = 0;
    for (let t = 0; t < 300; t++) {
      const width = 1 + Math.floor(r() * 40);
      // few distinct 8-byte prefixes, so most ids tie on the numbers the search compares first
      const heads = Array.from({ length: 1 + Math.floor(r() * 4) }, () => Array.from({ length: Math.min(width, 8) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
      const make = () => (heads[Math.floor(r() * heads.length)] + Array.from({ length: width }, () => alphabet[Math.floor(r() * alphabet.length)]).join('')).slice(0, width);
      const ids = [...new Set(Array.from({ length: Math.floor(r() * 60) }, make))].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
      const split = Uint8Array.from(ids, () => Math.floor(r() * 3));
      const table = new AuthorSplits(Buffer.from(ids.join(''), 'latin1'), split, width, ids.length);
      const queries = [...ids, ...Array.from({ length: 30 }, make), make() + 'x', make().slice(1), '', 'Ā'.repeat(width), ids[0] ? ids[0].slice(0, -1) + 'ā' : 'ā'];
      // the oracle: the ids in a map, a key read as its Latin-1 bytes (as Buffer.from(key, 'latin1'))
      const byId = new Map(ids.map((id, i) => [id, split[i]]));
      for (const q of queries) {
        expect(table.of(q), `width ${width} ${JSON.stringify(q)}`).toBe(byId.get(Buffer.from(q, 'latin1').toString('latin1')) ?? 0);
        if (ids.includes(q)) {
          expect(table.of(q)).toBe(split[ids.indexOf(q)]);
          found++;
        }
      }
    }
    expect(found).toBeGreaterThan(3000);
  });

  it('takes log2(n) steps when every id shares its first 12 bytes (raw user names): at most 13 byte comparisons per lookup over 4,096 ids, never a scan', () => {
    const n = 4096;
    const ids = Array.from({ length: n }, (_, i) => `user_000000_${String(i * 7).padStart(8, '0')}`).sort();
    const width = ids[0].length;
    const split = Uint8Array.from(ids, (_, i) => i % 3);
    const table = new AuthorSplits(Buffer.from(ids.join(''), 'latin1'), split, width, n);
    const spy = vi.spyOn(Buffer.prototype, 'compare');
    try {
      for (let i = 0; i < n; i++) expect(table.of(ids[i])).toBe(split[i]);
      for (let i = 0; i < 1000; i++) expect(table.of(`user_000000_${String(i * 7 + 3).padStart(8, '0')}`)).toBe(0);
      expect(spy.mock.calls.length).toBeLessThanOrEqual((n + 1000) * 13);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a bucket larger than CAP (crafted signatures)', () => {
  it('members past the first 64 are compared with those only: the same clusters as the in-memory index', async () => {
    const out = tmpDir('vern-plan-');
    const r = rng(5);
    const n = 80;
    const np = DEFAULT_DEDUP.numPerm;
    const B = DEFAULT_DEDUP.bands;
    const sigs = new Uint32Array(n * np);
    for (let i = 0; i < sigs.length; i++) sigs[i] = Math.floor(r() * 2 ** 32);
    // one bucket in band 0 holds every doc; 20~21 (both among the first 64) and 70~71~72 (past 64) are near-copies
    const copy = (from: number, to: number) => sigs.copyWithin(to * np, from * np, from * np + np - 4);
    copy(20, 21);
    copy(70, 71);
    copy(70, 72);
    const bandKeys = new Uint32Array(n * B);
    for (let i = 0; i < n; i++) for (let b = 0; b < B; b++) bandKeys[i * B + b] = b === 0 ? 12345 : Math.floor(r() * 2 ** 32);
    const exactKeys = Uint32Array.from({ length: 2 * n }, () => Math.floor(r() * 2 ** 32));
    const f = path.join(out, 'signatures', 'de-AT', 'part-00000.bin');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const header: SigHeader = { v: 3, key: 'de-AT/part-00000', n, segment: { 'de-AT': n } };
    writeColumns(f, header, { author: new Uint32Array(n), locale: new Uint8Array(n), chars: new Uint32Array(n).fill(50), sigs, bandKeys, exactKeys, times: Float64Array.from({ length: n }, (_, i) => 1e12 - i), ties: Uint32Array.from({ length: n }, (_, i) => i), shortFlags: new Uint8Array(n), ...Names.of(['a'.repeat(32)]).columns(AUTHORS) });
    const sigIndex: CompletionIndex = { v: 2, stage: 'signatures', fingerprint: 'crafted', partitions: [{ key: 'de-AT/part-00000', fingerprint: 'x', outputs: [{ path: 'de-AT/part-00000.bin', bytes: fs.statSync(f).size }] }] };
    const { parts, total } = sigParts(sigIndex, path.join(out, 'signatures'));
    const balance = { ...balanceBase, author_cap: 1 } as Balance;
    const splits = { train: 0.8, validation: 0.1, test: 0.1 };
    const s: PlanSetup = { out, work: path.join(out, 'w'), sigIndex, parts, total, seed: 1, dedup: DEFAULT_DEDUP, balance, splits, localeNames: ['de-AT'], budget: 2048, ranges: 1, rank: 0, world: 1, quiet: true };
    const want = inMemoryPlan([f], { seed: 1, dedup: DEFAULT_DEDUP, balance, splits, localeNames: ['de-AT'] });
    const got = docPlan(s, parts[0], await steps(s));
    // the in-memory index joins 20~21 (21 posted earlier stays, 20 drops) and leaves 70, 71, 72 apart
    expect([...want.times].map((t, i) => (t ? -1 : i)).filter((i) => i >= 0)).toEqual([20]);
    expect(Buffer.from(got.times).equals(Buffer.from(want.times))).toBe(true);
  });
});

describe('plan settings', () => {
  it('the sort budget and key ranges come from the environment; bad values are usage errors (exit 2)', () => {
    const keep = { m: process.env.VERNACULAR_PLAN_MEMORY_MB, r: process.env.VERNACULAR_PLAN_RANGES };
    try {
      delete process.env.VERNACULAR_PLAN_MEMORY_MB;
      delete process.env.VERNACULAR_PLAN_RANGES;
      expect(planBudget()).toBe(256 << 20);
      expect(planRanges(10)).toBe(1);
      expect(planRanges(9_000_000)).toBe(3);
      process.env.VERNACULAR_PLAN_MEMORY_MB = '48';
      process.env.VERNACULAR_PLAN_RANGES = '5';
      expect(planBudget()).toBe(48 << 20);
      expect(planRanges(10)).toBe(5);
      process.env.VERNACULAR_PLAN_MEMORY_MB = '0.25';
      expect(planBudget()).toBe(1 << 18);
      for (const bad of ['0', '0.01', '1.5.1', '-3', 'lots', '1e3', '.5']) {
        process.env.VERNACULAR_PLAN_MEMORY_MB = bad;
        expect(() => planBudget()).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('VERNACULAR_PLAN_MEMORY_MB') }));
      }
      for (const bad of ['0', '1.5', '-3', 'lots']) {
        process.env.VERNACULAR_PLAN_RANGES = bad;
        expect(() => planRanges(10)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('VERNACULAR_PLAN_RANGES') }));
      }
    } finally {
      for (const [k, v] of [['VERNACULAR_PLAN_MEMORY_MB', keep.m], ['VERNACULAR_PLAN_RANGES', keep.r]] as const) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
});

describe('external sort', () => {
  it('equals an in-memory sort for any budget (spilled runs merged), equal keys by their trailing field', () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const dir = tmpDir('vern-sort-');
      const n = 3000;
      const recs = Array.from({ length: n }, (_, i) => ({ k: Math.floor(r() * (seed === 3 ? 5 : 2 ** 32)), k2: Math.floor(r() * 3), i, pay: Math.floor(r() * 2 ** 32) }));
      const sorter = new ExternalSorter({ recordSize: 16, keyBytes: 12, budget: [100, 4096, 1 << 20][seed - 1] * 1, dir });
      for (const x of recs) {
        const [b, o] = sorter.slot();
        b.writeUInt32BE(x.k, o);
        b.writeUInt32BE(x.k2, o + 4);
        b.writeUInt32BE(x.i, o + 8);
        b.writeUInt32LE(x.pay, o + 12);
      }
      const got: number[] = [];
      sorter.sorted((b, o) => void got.push(b.readUInt32BE(o + 8), b.readUInt32LE(o + 12)));
      const want = [...recs].sort((a, b) => a.k - b.k || a.k2 - b.k2 || a.i - b.i).flatMap((x) => [x.i, x.pay]);
      expect(got).toEqual(want);
      if (seed < 3) expect(sorter.runCount).toBeGreaterThan(1);
      // a second pass gives the same stream
      const again: number[] = [];
      sorter.sorted((b, o) => void again.push(b.readUInt32BE(o + 8), b.readUInt32LE(o + 12)));
      expect(again).toEqual(want);
      sorter.close();
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('many runs: merged in levels of at most 16 runs at tiny budgets (files on disk never more), stable for equal keys, a second pass the same', () => {
    for (const [n, budget, rs] of [
      [5000, 100, 8],
      [4000, 300, 12],
      [17 * 16, 100, 8],
      [16 * 16, 100, 8],
    ]) {
      const dir = tmpDir('vern-sort-');
      const r = rng(n + budget);
      const sorter = new ExternalSorter({ recordSize: rs, keyBytes: 4, budget, dir });
      const recs = Array.from({ length: n }, (_, i) => ({ k: Math.floor(r() * 10), i }));
      for (const x of recs) {
        const [b, o] = sorter.slot();
        b.writeUInt32BE(x.k, o);
        b.writeUInt32BE(x.i, o + 4);
      }
      const want = [...recs].sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.i);
      for (const pass of [1, 2]) {
        const got: number[] = [];
        sorter.sorted((b, o) => void got.push(b.readUInt32BE(o + 4)));
        expect(got, `n ${n} budget ${budget} pass ${pass}`).toEqual(want);
        expect(fs.readdirSync(dir).length).toBeLessThanOrEqual(16);
      }
      expect(sorter.runCount).toBe(Math.ceil(n / 16)); // 16 records per run at these budgets: 313, 250, 17 and 16 runs
      sorter.close();
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('uniqueSorted: the distinct keys in order, exactly sized, for any block size (block edges, empty, one key, spilled runs)', () => {
    const r = rng(33);
    for (const [n, range, block, budget] of [
      [0, 10, 4, 1 << 20],
      [1, 10, 1, 1 << 20],
      [500, 2 ** 32, 1, 256],
      [500, 40, 3, 1 << 20],
      [2000, 700, 7, 512],
      [2000, 2 ** 32, 1000, 1 << 20],
      [2048, 2 ** 32, 1024, 4096],
    ]) {
      const dir = tmpDir('vern-sort-');
      const sorter = new ExternalSorter({ recordSize: 4, keyBytes: 4, budget, dir });
      const keys = Array.from({ length: n }, () => Math.floor(r() * range));
      if (n === 2048) for (let i = 0; i < n; i++) keys[i] = i; // exactly two full blocks
      for (const k of keys) {
        const [b, o] = sorter.slot();
        b.writeUInt32BE(k, o);
      }
      const got = uniqueSorted(sorter, block);
      const want = [...new Set(keys)].sort((a, b) => a - b);
      expect(got).toBeInstanceOf(Uint32Array);
      expect(Array.from(got), `n ${n} block ${block}`).toEqual(want);
      expect(got.length).toBe(want.length);
      sorter.close();
    }
  });

  it('a sorter after a closed one takes its buffer only within its own budget, and sorts the same over the old bytes', () => {
    const dir = tmpDir('vern-sort-');
    const r = rng(21);
    let last: Buffer | undefined;
    for (const [t, budget] of [1 << 20, 1 << 20, 1 << 20, 2048, 1 << 20].entries()) {
      const sorter = new ExternalSorter({ recordSize: 12, keyBytes: 8, budget, dir });
      const recs = Array.from({ length: 500 + 300 * t }, (_, i) => ({ k: Math.floor(r() * 50), i, pay: Math.floor(r() * 2 ** 32) }));
      let buf: Buffer | undefined;
      for (const x of recs) {
        const [b, o] = sorter.slot();
        buf ??= b;
        b.writeUInt32BE(x.k, o);
        b.writeUInt32BE(x.i, o + 4);
        b.writeUInt32LE(x.pay, o + 8);
      }
      // the last closed sorter's buffer is reused where it fits the budget (a 1 MB sorter's in 2048 B: it does not)
      if (t > 0) expect(buf === last, `sorter ${t}`).toBe(budget === 1 << 20 && t !== 4);
      const got: number[] = [];
      sorter.sorted((b, o) => void got.push(b.readUInt32BE(o + 4), b.readUInt32LE(o + 8)));
      expect(got).toEqual([...recs].sort((a, b) => a.k - b.k || a.i - b.i).flatMap((x) => [x.i, x.pay]));
      const [b] = sorter.slot();
      last = b;
      sorter.close();
    }
  });
});
