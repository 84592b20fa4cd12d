import { seededHash } from '../hash.js';

export type Split = 'train' | 'validation' | 'test';
/**
 * Author-disjoint splits with per-locale quotas on documents: each author belongs to the locale
 * where they have most docs; within a locale, authors in `hash(seed, author)` order each go to
 * the split furthest below its share of that locale's docs (each split with a share gets one
 * author first, once a locale has three). An author's docs in every locale follow the author, so
 * no author spans two splits, and every locale's test split holds about its share of documents —
 * a per-author coin flip leaves small locales with few or no test docs.
 */
export function assignSplits(seed: number, authors: readonly string[], docsByAuthorLocale: Iterable<[number, number]>, s: { train: number; validation: number; test: number }): Uint8Array {
  // primary locale per author (most docs; ties: smaller locale index), from (author·256 + locale) → docs
  const primary = new Int32Array(authors.length).fill(-1);
  const count = new Uint32Array(authors.length);
  const docs = new Uint32Array(authors.length);
  for (const [k, n] of docsByAuthorLocale) {
    const a = Math.floor(k / 256);
    const l = k % 256;
    docs[a] += n;
    if (primary[a] < 0 || n > count[a] || (n === count[a] && l < primary[a])) {
      primary[a] = l;
      count[a] = n;
    }
  }
  const total = new Map<number, number>();
  for (let a = 0; a < authors.length; a++) if (primary[a] >= 0) total.set(primary[a], (total.get(primary[a]) ?? 0) + docs[a]);
  const byLocale = new Map<number, number[]>();
  for (let a = 0; a < authors.length; a++) if (primary[a] >= 0) (byLocale.get(primary[a]) ?? byLocale.set(primary[a], []).get(primary[a])!).push(a);
  const order: Split[] = ['train', 'validation', 'test'];
  const out = new Uint8Array(authors.length);
  for (const [loc, list] of byLocale) {
    const hs = new Map(list.map((a) => [a, seededHash(seed, 'split', authors[a])]));
    list.sort((x, y) => hs.get(x)! - hs.get(y)! || (authors[x] < authors[y] ? -1 : 1));
    const t = total.get(loc)!;
    const got = [0, 0, 0];
    const shares = order.map((x) => s[x]);
    const seeded = list.length >= 3 ? [0, 1, 2].filter((k) => shares[k] > 0) : [];
    list.forEach((a, i) => {
      const n = docs[a];
      const pick = i < seeded.length ? seeded[seeded.length - 1 - i] : [0, 1, 2].reduce((best, k) => (shares[k] * t - got[k] > shares[best] * t - got[best] ? k : best), 0);
      got[pick] += n;
      out[a] = pick;
    });
  }
  return out;
}

/** The split names in index order: `assignSplits` returns 0, 1, 2 for them. */
export const SPLITS: Split[] = ['train', 'validation', 'test'];
