import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DedupIndex, DEFAULT_DEDUP, type DedupColumns } from '../../src/shards/dedupe.js';
import { readColumns, writeColumns } from '../../src/io/columns.js';
import { dedupText, minhash } from '../../src/shards/minhash.js';
import { createHash } from 'node:crypto';
import { hash32, hashId, keyDigest, seededHash } from '../../src/hash.js';
import { ROOT, prng as rng, tmpDir } from '../helpers.js';

interface Pair {
  a: string;
  b: string;
  dup: boolean;
  kind: string;
  lang: string;
}
const pairs: Pair[] = fs
  .readFileSync(path.join(ROOT, 'test/fixtures/dedup/pairs.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

describe('near-duplicate detection on the labelled fixture', () => {
  it('has both kinds of pairs in several languages', () => {
    expect(pairs.filter((p) => p.dup).length).toBeGreaterThanOrEqual(100);
    expect(pairs.filter((p) => !p.dup).length).toBeGreaterThanOrEqual(100);
    expect(new Set(pairs.map((p) => p.lang)).size).toBeGreaterThanOrEqual(5);
  });

  it('precision ≥ 0.95 and recall ≥ 0.9 with the default parameters', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const wrong: string[] = [];
    for (const p of pairs) {
      const got = DedupIndex.pair(p.a, p.b, DEFAULT_DEDUP);
      if (got && p.dup) tp++;
      else if (got && !p.dup) {
        fp++;
        wrong.push(`FP ${p.kind}: ${p.a} | ${p.b}`);
      } else if (!got && p.dup) {
        fn++;
        wrong.push(`FN ${p.kind}: ${p.a} | ${p.b}`);
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`dedup fixture: ${pairs.length} pairs — precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn}); params ${JSON.stringify(DEFAULT_DEDUP)}\n${wrong.slice(0, 25).join('\n')}`);
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('the index clusters the same way as the pairwise check and keeps the earliest post', () => {
    const idx = new DedupIndex();
    idx.add({ id: 'b', createdAt: '2025-02-01', text: 'RT @jonas: Share if you are from Graz!!! The best city in Austria 🔥🔥' });
    idx.add({ id: 'a', createdAt: '2025-01-01', text: 'Share if you are from Graz! The best city in Austria 🔥' });
    idx.add({ id: 'c', createdAt: '2025-03-01', text: 'Completely different post about the weather in Vienna today' });
    expect([...idx.duplicates()]).toEqual([['b', 'a']]);
  });

  it('indexes merged from partitions (columns → file → append) cluster exactly like one index', () => {
    const texts = pairs.flatMap((p, i) => [
      { id: `a${i}`, createdAt: `2025-01-${String((i % 28) + 1).padStart(2, '0')}`, text: p.a },
      { id: `b${i}`, createdAt: `2025-02-${String((i % 28) + 1).padStart(2, '0')}`, text: p.b },
    ]);
    const whole = new DedupIndex(DEFAULT_DEDUP, false);
    texts.forEach((t, i) => whole.add({ ...t, tie: i }));
    const merged = new DedupIndex(DEFAULT_DEDUP, false, 8);
    const dir = tmpDir('vern-cols-');
    for (let start = 0, part = 0; start < texts.length; start += 97, part++) {
      const idx = new DedupIndex(DEFAULT_DEDUP, false);
      texts.slice(start, start + 97).forEach((t, k) => idx.add({ ...t, tie: start + k }));
      const c = idx.columns();
      const f = path.join(dir, `p${part}.bin`);
      writeColumns(f, { n: c.n }, { sigs: c.sigs, bandKeys: c.bandKeys, exactKeys: c.exactKeys, times: c.times, ties: c.ties, shortFlags: c.shortFlags });
      const r = readColumns<{ n: number }>(f);
      merged.append({ n: r.header.n, ...(r.columns as never as Omit<DedupColumns, 'n'>) });
    }
    expect(merged.size).toBe(texts.length);
    const a = whole.duplicateOf();
    expect([...merged.duplicateOf()]).toEqual([...a]);
    expect(a.filter((x) => x >= 0).length).toBeGreaterThan(100);
    expect(() => new DedupIndex({ ...DEFAULT_DEDUP, numPerm: 64 }, false).append(whole.columns())).toThrow(/other parameters/);
  });

  it('an index cleared between chunks gives, chunk after chunk, the columns one index gives (short docs after long ones hold zeros)', () => {
    const r = rng(17);
    const texts = pairs.flatMap((p, i) => [p.a, p.b, p.a.slice(0, Math.floor(r() * 30))]).map((text, i) => ({ id: `d${i}`, createdAt: `2025-03-0${(i % 9) + 1}`, text, tie: i }));
    const whole = new DedupIndex(DEFAULT_DEDUP, false);
    texts.forEach((t) => whole.add(t));
    const w = whole.columns();
    for (const chunk of [1, 2, 7, 64, 100]) {
      const idx = new DedupIndex(DEFAULT_DEDUP, false, 4);
      const got: { [k: string]: number[] } = { sigs: [], bandKeys: [], exactKeys: [], times: [], ties: [], shortFlags: [] };
      const take = () => {
        const c = idx.columns();
        for (const k of Object.keys(got)) got[k].push(...(c[k as keyof DedupColumns] as Uint32Array));
        idx.clear();
      };
      for (const t of texts) if (idx.add(t) === chunk - 1) take();
      take();
      for (const k of Object.keys(got)) expect(got[k], `${k} in chunks of ${chunk}`).toEqual(Array.from(w[k as keyof DedupColumns] as Uint32Array));
    }
    expect(w.shortFlags.filter((x) => x).length).toBeGreaterThan(50);
    expect(() => new DedupIndex(DEFAULT_DEDUP, true).clear()).toThrow(/without ids/);
  });

  it('floods: 300 identical posts and 200 near-copies each collapse to one kept doc', () => {
    const idx = new DedupIndex(DEFAULT_DEDUP, false);
    const spam = 'Win a free trip to Vienna!!! Click the link in my bio and share with five friends today';
    for (let i = 0; i < 300; i++) idx.add({ id: `s${i}`, createdAt: `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, text: spam, tie: i });
    const base = 'Heute in Graz beim Stadtfest gewesen, die Stimmung war richtig leiwand und das Wetter hat gehalten';
    for (let i = 0; i < 200; i++) idx.add({ id: `n${i}`, createdAt: '2025-02-01T00:00:00Z', text: `${base} #${i}`, tie: 1000 + i });
    idx.add({ id: 'other', createdAt: '2025-03-01T00:00:00Z', text: 'Ganz etwas anderes: der Zug nach Linz hatte wieder einmal zwanzig Minuten Verspätung', tie: 5000 });
    const dup = idx.duplicateOf();
    const kept = [...dup].map((d, i) => (d < 0 ? i : -1)).filter((i) => i >= 0);
    expect(kept.length).toBe(3);
    expect(dup.slice(0, 300).filter((d) => d >= 0).length).toBe(299);
    expect(dup.slice(300, 500).filter((d) => d >= 0).length).toBe(199);
  });

  it('normalisation removes what shares change', () => {
    expect(dedupText('RT @x: Hello   WORLD!! 😂 https://t.co/abc @maria')).toBe('hello world');
  });
});

/** MinHash as it was before the sign-flipped int32 loop: a [h1, h2] pair per shingle, unsigned compares. */
function minhashReference(text: string, k: number, numPerm: number): Uint32Array {
  const out = new Uint32Array(numPerm).fill(0xffffffff);
  const n = Math.max(1, text.length - k + 1);
  for (let s = 0; s < n; s++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    for (let i = s; i < Math.min(text.length, s + k); i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    let h = h1 >>> 0;
    const step = (h2 | 1) >>> 0;
    for (let i = 0; i < numPerm; i++) {
      if (h >>> 0 < out[i]) out[i] = h >>> 0;
      h = (h + step) | 0;
    }
  }
  return out;
}

describe('minhash', () => {
  it('equals the unsigned reference on random texts, shingle sizes and permutation counts (and reuses no state between calls)', () => {
    const r = rng(5);
    const alphabet = ['a', 'b', 'e', ' ', 'é', 'ß', 'ж', 'α', '中', '😂', '0', '\uffff', '\u0000'];
    let calls = 0;
    for (const numPerm of [8, 32, 40, 512, 16]) {
      for (let t = 0; t < 200; t++) {
        const len = Math.floor(r() * (t % 10 === 0 ? 4 : 120));
        let text = '';
        for (let i = 0; i < len; i++) text += alphabet[Math.floor(r() * alphabet.length)];
        const k = 2 + Math.floor(r() * 11);
        const want = minhashReference(text, k, numPerm);
        expect(Array.from(minhash(text, k, numPerm)), `${JSON.stringify(text)} k=${k} numPerm=${numPerm}`).toEqual(Array.from(want));
        // into a caller's buffer (a subarray of a larger signature array, as DedupIndex does)
        const big = new Uint32Array(numPerm * 3).fill(7);
        minhash(text, k, numPerm, big.subarray(numPerm, 2 * numPerm));
        expect(Array.from(big.subarray(numPerm, 2 * numPerm))).toEqual(Array.from(want));
        expect(big[0]).toBe(7);
        expect(big[2 * numPerm]).toBe(7);
        calls++;
      }
    }
    expect(calls).toBe(1000);
  });
});

/** Every pass of dedupText, unconditionally (the function as first written): the oracle for its shortcuts. */
function dedupTextFull(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\b(?:https?:\/\/|www\.)\S+/g, ' ')
    .replace(/(^|\s)rt\s+@\S+:?/g, ' ')
    .replace(/\bvia\s+@\S+/g, ' ')
    .replace(/(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

describe('dedupText', () => {
  it('its skipped passes change nothing: equal to every pass run on random texts of URL, handle, RT/via, accent, mark and fullwidth pieces', () => {
    const r = rng(23);
    const pieces = ['a', 'B', 'rt', 'RT', 'via', ' ', '  ', '\t', '\n', '@', '＠', 'user_1', '.', ':', '/', '//', '://', 'http', 'HTTPS', 'www', 'WWW', 'ｗｗｗ', '．', '：／／', 'é', 'É', 'e\u0301', '\u0301', 'İ', 'ß', 'Ά', 'Ω', 'ж', '中', '😂', '👍🏽', 'ﬁ', '²', '½', '0', '9', '_', '-', '#', '\u00a0', '\u200d', '\ud83d', '\ude02', '𝐀', '𝟙', '𐌰', '\u3000'];
    const tried = new Set<string>();
    for (let t = 0; t < 20000; t++) {
      let text = '';
      const n = Math.floor(r() * 14);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(r() * pieces.length)];
      tried.add(text);
      expect(dedupText(text), JSON.stringify(text)).toBe(dedupTextFull(text));
    }
    expect(tried.size).toBeGreaterThan(15000);
    for (const p of pairs) for (const x of [p.a, p.b]) expect(dedupText(x)).toBe(dedupTextFull(x));
    // the shortcuts' own cases: pure ASCII (no NFKD), no '@' (no handle passes), fullwidth ＠ and ｗｗｗ．that NFKD turns into ASCII
    expect(dedupText('RT @ana: Hello via @bob www.x.com/a')).toBe('hello');
    expect(dedupText('ｗｗｗ．ｘ．ｃｏｍ ＠ｕｓｅｒ Héllo')).toBe('hello');
  });
});

describe('seeded hashes', () => {
  it('keyDigest, hash32, seededHash and hashId equal the Hash-object SHA-256 of the NUL-joined parts', () => {
    const r = rng(9);
    const pieces = ['', 'a', 'ž', '😂', '\u0000', 'sample', 'part-00003', '42', 'x'.repeat(200)];
    for (let t = 0; t < 500; t++) {
      const parts = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pieces[Math.floor(r() * pieces.length)] + pieces[Math.floor(r() * pieces.length)]);
      const ref = createHash('sha256').update(parts.join('\0')).digest();
      expect(keyDigest(...parts).equals(ref)).toBe(true);
      expect(hash32(...parts)).toBe(ref.readUInt32BE(0));
      expect(hashId(...parts)).toBe(ref.toString('hex').slice(0, 16));
      const seed = Math.floor(r() * 1000);
      expect(seededHash(seed, ...parts)).toBe(createHash('sha256').update(`${seed}\0${parts.join('\0')}`).digest().readUInt32BE(0));
    }
  });
});
