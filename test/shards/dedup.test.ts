import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DedupIndex, DEFAULT_DEDUP, type DedupColumns } from '../../src/shards/dedupe.js';
import { readColumns, writeColumns } from '../../src/io/columns.js';
import { dedupText } from '../../src/shards/minhash.js';
import { ROOT, tmpDir } from '../helpers.js';

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
