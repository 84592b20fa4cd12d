import { describe, expect, it } from 'vitest';
import { apportion, planTargets, sampleLocale, type Candidate } from '../../src/shards/balance.js';
import { assignSplits, SPLITS } from '../../src/shards/splits.js';
import { rng } from '../../src/evaluate/metrics.js';
import type { Config } from '../../src/config/schema.js';

type Balance = Config['shards']['balance'];
const B = (over: Partial<Balance> = {}): Balance => ({ strategy: 'uniform', alpha: 0.5, targets: {}, min: 0, max_repeat: 1, author_cap: 0.2, ...over });
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A random supply over 1–6 locales (one may be empty). */
function supplyOf(r: () => number): { [l: string]: { docs: number; chars: number } } {
  const out: { [l: string]: { docs: number; chars: number } } = {};
  for (const l of ['de-AT', 'de-DE', 'fr-BE', 'fr-FR', 'mt-MT', 'nl-BE'].slice(0, int(r, 1, 6))) {
    const docs = r() < 0.1 ? 0 : int(r, 1, 5000);
    out[l] = { docs, chars: docs * int(r, 20, 400) };
  }
  return out;
}

describe('balance: planTargets', () => {
  it('apportion sums exactly and gives each key its share within 1', () => {
    const r = rng(11);
    for (let i = 0; i < 300; i++) {
      const w = Object.fromEntries(Array.from({ length: int(r, 1, 8) }, (_, k) => [`k${k}`, r() < 0.2 ? 0 : r() * 100]));
      const total = int(r, 0, 10_000);
      const a = apportion(total, w);
      const ws = sum(Object.values(w));
      if (ws === 0) {
        expect(sum(Object.values(a))).toBe(0);
        continue;
      }
      expect(sum(Object.values(a))).toBe(total);
      for (const k of Object.keys(w)) expect(Math.abs(a[k] - (total * w[k]) / ws)).toBeLessThan(1);
    }
  });

  it('each strategy: totals, proportions, explicit targets, and [min, max] clamps', () => {
    const r = rng(12);
    for (let i = 0; i < 300; i++) {
      const s = supplyOf(r);
      const locs = Object.keys(s);
      const docs = locs.map((l) => s[l].docs);
      // proportional, no total: everything available
      expect(planTargets(s, B({ strategy: 'proportional' }))).toEqual(Object.fromEntries(locs.map((l) => [l, s[l].docs])));
      // uniform, no total: every locale gets what the smallest has
      expect(Object.values(planTargets(s, B({ strategy: 'uniform' })))).toEqual(locs.map(() => Math.min(...docs)));
      // temperature with a total: sums to it, and more supply never gets a smaller target
      const total = int(r, 1, 20_000);
      const alpha = r();
      const t = planTargets(s, B({ strategy: 'temperature', alpha, total_docs: total }));
      if (sum(docs) > 0) expect(sum(Object.values(t))).toBe(total);
      for (const a of locs) for (const b of locs) if (s[a].docs > s[b].docs) expect(t[a]).toBeGreaterThanOrEqual(t[b]);
      // total_chars: each locale's chars at its mean doc length (within a doc of rounding)
      const tc = planTargets(s, B({ strategy: 'proportional', total_chars: int(r, 1000, 1_000_000) }));
      for (const l of locs) if (!s[l].docs) expect(tc[l]).toBe(0);
      // explicit targets; a locale without one gets 0, then min
      const explicit = Object.fromEntries(locs.filter(() => r() < 0.7).map((l) => [l, int(r, 0, 3000)]));
      const min = int(r, 0, 50);
      const max = r() < 0.5 ? int(r, 50, 4000) : undefined;
      const te = planTargets(s, B({ strategy: 'targets', targets: explicit, min, max }));
      for (const l of locs) expect(te[l]).toBe(Math.max(min, Math.min(max ?? Infinity, explicit[l] ?? 0)));
      // clamps hold for every strategy
      for (const strategy of ['uniform', 'proportional', 'temperature'] as const) {
        const c = planTargets(s, B({ strategy, min, max, total_docs: total }));
        for (const l of locs) {
          expect(c[l]).toBeGreaterThanOrEqual(min);
          if (max !== undefined) expect(c[l]).toBeLessThanOrEqual(Math.max(min, max));
        }
      }
    }
  });
});

describe('balance: sampleLocale', () => {
  it('target, author cap, max_repeat and shortfall hold on random locales; the order is the key order; input order does not matter', () => {
    const r = rng(13);
    for (let i = 0; i < 150; i++) {
      const nAuthors = int(r, 1, 30);
      const cands: Candidate[] = Array.from({ length: int(r, 0, 200) }, (_, index) => ({ key: int(r, 0, 2 ** 32 - 1), author: `a${int(r, 1, nAuthors)}`, index }));
      const target = int(r, 0, 400);
      const b = B({ max_repeat: int(r, 1, 4), author_cap: r() < 0.3 ? 1 : r() });
      const { take, plan } = sampleLocale(cands, target, b);
      const taken = [...take.values()];
      expect(plan.achieved).toBe(sum(taken));
      expect(plan.achieved).toBeLessThanOrEqual(target);
      expect(plan.repeated).toBe(sum(taken.map((k) => k - 1)));
      for (const k of taken) expect(k).toBeLessThanOrEqual(b.max_repeat);
      const cap = Math.max(1, Math.floor(b.author_cap * target));
      const perAuthor = new Map<string, number>();
      for (const [idx, k] of take) perAuthor.set(cands[idx].author, (perAuthor.get(cands[idx].author) ?? 0) + k);
      for (const n of perAuthor.values()) expect(n).toBeLessThanOrEqual(cap);
      // short only when the supply or the cap forbids more: then no author below the cap has an untaken repeat left
      expect(plan.shortfall === undefined).toBe(plan.achieved === target);
      if (plan.achieved < target)
        for (const c of cands) if ((perAuthor.get(c.author) ?? 0) < cap) expect(take.get(c.index)).toBe(b.max_repeat);
      // without a binding cap and without repeats: exactly the `target` smallest keys
      if (b.author_cap === 1 && b.max_repeat === 1) {
        const want = [...cands].sort((x, y) => x.key - y.key || x.index - y.index).slice(0, target).map((c) => c.index).sort((x, y) => x - y);
        expect([...take.keys()].sort((x, y) => x - y)).toEqual(want);
      }
      // deterministic whatever the input order
      const shuffled = [...cands].sort(() => r() - 0.5);
      expect(new Map([...sampleLocale(shuffled, target, b).take].sort((x, y) => x[0] - y[0]))).toEqual(new Map([...take].sort((x, y) => x[0] - y[0])));
    }
  });
});

describe('author-disjoint splits: assignSplits', () => {
  /** Random authors with docs in one to three of four locales (most in one). */
  function world(r: () => number) {
    const authors = Array.from({ length: int(r, 1, 250) }, (_, i) => `author-${i}-${int(r, 0, 1e6)}`);
    const pairs = new Map<number, number>();
    for (let a = 0; a < authors.length; a++) {
      const home = int(r, 0, 3);
      pairs.set(a * 256 + home, int(r, 1, r() < 0.1 ? 40 : 6));
      if (r() < 0.3) pairs.set(a * 256 + ((home + 1) % 4), int(r, 1, 3));
    }
    const ratios = r() < 0.5 ? { train: 0.8, validation: 0.1, test: 0.1 } : (() => { const x = r(), y = r() * (1 - x); return { train: x, validation: y, test: 1 - x - y }; })();
    return { authors, pairs, ratios };
  }

  it('each author in exactly one split; per locale the shares met within one large author; seeded and order-free', () => {
    const r = rng(14);
    for (let i = 0; i < 60; i++) {
      const { authors, pairs, ratios } = world(r);
      const seed = int(r, 0, 1e9);
      const out = assignSplits(seed, authors, pairs, ratios);
      expect(out.length).toBe(authors.length);
      expect(out.every((s) => s < SPLITS.length)).toBe(true);
      // primary locale per author as documented: most docs, ties to the smaller locale index
      const primary = new Map<number, { l: number; n: number; docs: number }>();
      for (const [k, n] of pairs) {
        const a = Math.floor(k / 256);
        const l = k % 256;
        const p = primary.get(a);
        if (!p || n > p.n || (n === p.n && l < p.l)) primary.set(a, { l, n, docs: (p?.docs ?? 0) + n });
        else p.docs += n;
      }
      for (let l = 0; l < 4; l++) {
        const here = [...primary].filter(([, p]) => p.l === l);
        const t = sum(here.map(([, p]) => p.docs));
        if (!t) continue;
        const biggest = Math.max(...here.map(([, p]) => p.docs));
        const got = [0, 0, 0];
        for (const [a, p] of here) got[out[a]] += p.docs;
        SPLITS.forEach((s, k) => expect(Math.abs(got[k] - ratios[s] * t), `locale ${l} split ${s}`).toBeLessThanOrEqual(2 * biggest));
        // once a locale has three authors, every split with a share has one
        if (here.length >= 3) SPLITS.forEach((s, k) => ratios[s] > 0 && expect(here.some(([a]) => out[a] === k)).toBe(true));
      }
      // the same seed gives the same splits; the authors' order does not matter
      expect(assignSplits(seed, authors, pairs, ratios)).toEqual(out);
      const perm = authors.map((_, k) => k).sort(() => r() - 0.5);
      const where = new Map(perm.map((old, neu) => [old, neu]));
      const permuted = assignSplits(seed, perm.map((k) => authors[k]), [...pairs].map(([k, n]): [number, number] => [where.get(Math.floor(k / 256))! * 256 + (k % 256), n]), ratios);
      expect(authors.map((_, k) => permuted[where.get(k)!])).toEqual([...out]);
    }
  });

  it('another seed gives other splits; many small authors meet the shares within 3%', () => {
    const authors = Array.from({ length: 2000 }, (_, i) => `a${i}`);
    const pairs = new Map(authors.map((_, a) => [a * 256, 1 + (a % 3)] as [number, number]));
    const ratios = { train: 0.8, validation: 0.1, test: 0.1 };
    const one = assignSplits(1, authors, pairs, ratios);
    const two = assignSplits(2, authors, pairs, ratios);
    expect(one).not.toEqual(two);
    const t = sum([...pairs.values()]);
    for (const out of [one, two]) {
      const got = [0, 0, 0];
      authors.forEach((_, a) => (got[out[a]] += pairs.get(a * 256)!));
      SPLITS.forEach((s, k) => expect(Math.abs(got[k] / t - ratios[s])).toBeLessThan(0.03));
    }
  });
});
