import type { Config } from '../config/schema.js';

type BalanceConfig = Config['shards']['balance'];

/** What one locale has before balancing. */
export interface LocaleSupply {
  docs: number;
  chars: number;
}

/** The plan for one locale: the target, what the sampler achieved, and why it fell short. */
export interface LocalePlan {
  available: number;
  target: number;
  achieved: number;
  repeated: number;
  shortfall?: string;
}

/** Split `total` into integers proportional to `weights` (largest remainder; ties by key), so they sum exactly. */
export function apportion(total: number, weights: { [k: string]: number }): { [k: string]: number } {
  const keys = Object.keys(weights).sort();
  const sum = keys.reduce((s, k) => s + weights[k], 0);
  if (sum <= 0) return Object.fromEntries(keys.map((k) => [k, 0]));
  const raw = keys.map((k) => (total * weights[k]) / sum);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = keys.map((k, i) => i).sort((a, b) => raw[b] - out[b] - (raw[a] - out[a]) || (keys[a] < keys[b] ? -1 : 1));
  for (const i of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return Object.fromEntries(keys.map((k, i) => [k, out[i]]));
}

/**
 * Per-locale targets from the supply and the balance config. The total is `total_docs`, or
 * `total_chars` turned into docs with each locale's mean doc length, or (by default) everything
 * available. Targets are clamped to [min, max]; the sampler reports what it achieved.
 */
export function planTargets(supply: { [locale: string]: LocaleSupply }, b: BalanceConfig): { [locale: string]: number } {
  const locs = Object.keys(supply).sort();
  let targets: { [l: string]: number };
  if (b.strategy === 'targets') {
    targets = Object.fromEntries(locs.map((l) => [l, b.targets[l] ?? 0]));
  } else {
    const weights = Object.fromEntries(
      locs.map((l) => [l, b.strategy === 'uniform' ? 1 : b.strategy === 'proportional' ? supply[l].docs : Math.pow(supply[l].docs, b.alpha)]),
    );
    const all = locs.reduce((s, l) => s + supply[l].docs, 0);
    if (b.total_chars !== undefined) {
      const charShare = apportion(b.total_chars, weights);
      targets = Object.fromEntries(locs.map((l) => [l, supply[l].docs ? Math.round(charShare[l] / (supply[l].chars / supply[l].docs)) : 0]));
    } else {
      // uniform without a total: every locale gets what the smallest one has
      const total = b.total_docs ?? (b.strategy === 'uniform' ? Math.min(...locs.map((l) => supply[l].docs)) * locs.length : all);
      targets = apportion(total, weights);
    }
  }
  for (const l of locs) targets[l] = Math.max(b.min, b.max !== undefined ? Math.min(b.max, targets[l]) : targets[l]);
  return targets;
}

/** One candidate doc for sampling. */
export interface Candidate {
  key: number;
  author: string;
  index: number;
}

/**
 * Deterministic sampling for one locale: candidates in order of `hash(seed, doc)` (their `key`),
 * skipping authors at the cap; when short and `maxRepeat` > 1, further passes repeat docs.
 * Returns how many times each candidate index is taken.
 */
export function sampleLocale(cands: Candidate[], target: number, b: BalanceConfig): { take: Map<number, number>; plan: Omit<LocalePlan, 'available' | 'target'> } {
  const sorted = [...cands].sort((x, y) => x.key - y.key || x.index - y.index);
  const cap = Math.max(1, Math.floor(b.author_cap * target));
  const perAuthor = new Map<string, number>();
  const take = new Map<number, number>();
  let n = 0;
  let capped = 0;
  for (let pass = 1; pass <= b.max_repeat && n < target; pass++) {
    for (const c of sorted) {
      if (n >= target) break;
      if ((take.get(c.index) ?? 0) >= pass) continue;
      const a = perAuthor.get(c.author) ?? 0;
      if (a >= cap) {
        capped++;
        continue;
      }
      perAuthor.set(c.author, a + 1);
      take.set(c.index, (take.get(c.index) ?? 0) + 1);
      n++;
    }
  }
  const repeated = [...take.values()].reduce((s, k) => s + k - 1, 0);
  let shortfall: string | undefined;
  if (n < target) {
    const maxPossible = cands.length * b.max_repeat;
    shortfall =
      maxPossible < target
        ? `only ${cands.length} docs available (× max_repeat ${b.max_repeat} = ${maxPossible})`
        : `author cap ${Math.round(b.author_cap * 100)}% (${cap} docs per author) skipped ${capped} docs`;
  }
  return { take, plan: { achieved: n, repeated, shortfall } };
}
