import { rng as prng } from './metrics.js';

/** The seeded PRNG the solver shuffles with (mulberry32, the one in metrics.ts). */
export { prng };

/**
 * The pieces of the variety judge: a hashed TF-IDF vectoriser (character n-grams within word
 * boundaries plus word uni/bigrams, sublinear tf, smooth idf, L2 rows) and a one-vs-rest linear
 * SVM (L2-regularised, squared hinge) solved to convergence by dual coordinate descent, as
 * liblinear's L2R_L2LOSS_SVC_DUAL does (Hsieh et al. 2008), with per-class costs.
 */

/** Sparse rows: row i is idx/val[ptr[i] .. ptr[i+1]). */
export interface Csr {
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

export interface VectorizerOptions {
  /** log2 of the hashed feature space */
  bits: number;
  /** character n-gram orders within word boundaries */
  charMin: number;
  charMax: number;
  /** word n-gram orders (0 = none) */
  wordMax: number;
  /** character n-gram orders over the whole text (n-grams that span a word boundary; 0 = none) */
  spanMax: number;
  /** weight of the word block against the character block (each L2-normalised before mixing) */
  wordWeight: number;
}

export const DEFAULT_VECTORIZER: VectorizerOptions = { bits: 20, charMin: 1, charMax: 5, wordMax: 2, wordWeight: 1, spanMax: 0 };

/** FNV-1a over a string's UTF-16 units, seeded per namespace. */
function hashStr(s: string, from: number, to: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let k = from; k < to; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Lower-cased words; markup tags and PII placeholders such as <url> count as spaces. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/<[a-z_]+>/g, ' ')
    .split(/[\s\p{P}\p{S}]+/u)
    .filter(Boolean);
}

/** Hashed term counts of one text: char n-grams of ` word ` (like scikit-learn's char_wb), and word n-grams. */
export function termCounts(text: string, o: VectorizerOptions): { chars: Map<number, number>; words: Map<number, number> } {
  const mask = (1 << o.bits) - 1;
  const chars = new Map<number, number>();
  const ws = words(text);
  for (const w0 of ws) {
    const w = ' ' + w0 + ' ';
    for (let n = o.charMin; n <= o.charMax; n++) {
      if (n > w.length) {
        // a word shorter than n counts once, whole (as char_wb does)
        const j = hashStr(w, 0, w.length, n) & mask;
        chars.set(j, (chars.get(j) ?? 0) + 1);
        break;
      }
      for (let i = 0; i + n <= w.length; i++) {
        const j = hashStr(w, i, i + n, n) & mask;
        chars.set(j, (chars.get(j) ?? 0) + 1);
      }
    }
  }
  if (o.spanMax >= 2) {
    // n-grams across a boundary: ' ab cd ' yields 'b c', 'ab c', 'b cd', … (within-word ones are above)
    const t = ' ' + ws.join(' ') + ' ';
    for (let n = 3; n <= o.spanMax; n++)
      for (let i = 1; i + n <= t.length - 1; i++) {
        const sp = t.indexOf(' ', i);
        if (sp < 0 || sp >= i + n - 1 || sp === i) continue;
        const j = hashStr(t, i, i + n, 50 + n) & mask;
        chars.set(j, (chars.get(j) ?? 0) + 1);
      }
  }
  const wm = new Map<number, number>();
  if (o.wordMax >= 1) {
    const joined = ws.join(' ');
    const starts: number[] = [];
    let at = 0;
    for (const w of ws) {
      starts.push(at);
      at += w.length + 1;
    }
    starts.push(at);
    for (let n = 1; n <= o.wordMax; n++)
      for (let i = 0; i + n <= ws.length; i++) {
        const j = hashStr(joined, starts[i], starts[i + n] - 1, 100 + n) & mask;
        wm.set(j, (wm.get(j) ?? 0) + 1);
      }
  }
  return { chars, words: wm };
}

/** Hashed TF-IDF: idf fitted on the training texts; char and word blocks idf'd apart. */
export class HashedTfidf {
  constructor(
    readonly opts: VectorizerOptions,
    /** idf of the char block then the word block, 2 × 2^bits (0 = never seen in training) */
    readonly idf: Float32Array,
  ) {}

  static fit(texts: string[], opts: VectorizerOptions = DEFAULT_VECTORIZER): HashedTfidf {
    const D = 1 << opts.bits;
    const df = new Uint32Array(2 * D);
    for (const t of texts) {
      const { chars, words } = termCounts(t, opts);
      for (const j of chars.keys()) df[j]++;
      for (const j of words.keys()) df[D + j]++;
    }
    const idf = new Float32Array(2 * D);
    const n = texts.length;
    for (let j = 0; j < 2 * D; j++) if (df[j]) idf[j] = Math.log((1 + n) / (1 + df[j])) + 1;
    return new HashedTfidf(opts, idf);
  }

  get dim(): number {
    return 2 << this.opts.bits;
  }

  /** One row: sorted indices and values, the char and word blocks each L2-normalised, then mixed and renormalised. */
  row(text: string): { idx: number[]; val: number[] } {
    const D = 1 << this.opts.bits;
    const { chars, words } = termCounts(text, this.opts);
    const out: Array<[number, number]> = [];
    const block = (m: Map<number, number>, off: number, weight: number) => {
      const part: Array<[number, number]> = [];
      let z = 0;
      for (const [j, c] of m) {
        const idf = this.idf[off + j];
        if (!idf) continue; // unseen in training: no weight to meet
        const v = (1 + Math.log(c)) * idf;
        part.push([off + j, v]);
        z += v * v;
      }
      z = Math.sqrt(z);
      if (z) for (const [j, v] of part) out.push([j, (weight * v) / z]);
    };
    block(chars, 0, 1);
    if (this.opts.wordMax >= 1) block(words, D, this.opts.wordWeight);
    out.sort((a, b) => a[0] - b[0]);
    let z = 0;
    for (const [, v] of out) z += v * v;
    z = Math.sqrt(z) || 1;
    return { idx: out.map(([j]) => j), val: out.map(([, v]) => v / z) };
  }

  transform(texts: string[]): Csr {
    const ptr = new Int32Array(texts.length + 1);
    const rows = texts.map((t) => this.row(t));
    rows.forEach((r, i) => (ptr[i + 1] = ptr[i] + r.idx.length));
    const idx = new Int32Array(ptr[texts.length]);
    const val = new Float32Array(ptr[texts.length]);
    rows.forEach((r, i) => {
      idx.set(r.idx, ptr[i]);
      val.set(r.val, ptr[i]);
    });
    return { ptr, idx, val };
  }
}


export interface SvmResult {
  /** weights over the feature space, then the bias last */
  w: Float64Array;
  iterations: number;
  /** the projected-gradient gap at the end (≤ tol when converged) */
  gap: number;
  converged: boolean;
}

/**
 * One binary problem, y ∈ {−1, +1}: min ½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ w·xᵢ)², by dual coordinate
 * descent with a random order per pass (from `seed`) until the projected-gradient gap ≤ tol.
 * The bias is a constant feature 1 (regularised, as liblinear's intercept_scaling = 1).
 */
export function svmDual(X: Csr, y: Int8Array, cost: Float64Array, dim: number, seed: number, tol = 1e-4, maxIter = 1000): SvmResult {
  const n = y.length;
  const w = new Float64Array(dim + 1);
  const alpha = new Float64Array(n);
  const D = Float64Array.from(cost, (c) => 1 / (2 * c));
  const QD = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 1;
    for (let p = X.ptr[i]; p < X.ptr[i + 1]; p++) s += X.val[p] * X.val[p];
    QD[i] = s + D[i];
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const r = prng(seed);
  let gap = Infinity;
  let it = 0;
  for (; it < maxIter && gap > tol; it++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let q = 0; q < n; q++) {
      const i = order[q];
      const yi = y[i];
      const a = X.ptr[i];
      const b = X.ptr[i + 1];
      let d = w[dim];
      for (let p = a; p < b; p++) d += w[X.idx[p]] * X.val[p];
      const G = yi * d - 1 + D[i] * alpha[i];
      const PG = alpha[i] === 0 ? Math.min(G, 0) : G;
      if (PG > pgMax) pgMax = PG;
      if (PG < pgMin) pgMin = PG;
      if (PG > 1e-12 || PG < -1e-12) {
        const old = alpha[i];
        const nu = Math.max(old - G / QD[i], 0);
        alpha[i] = nu;
        const dl = (nu - old) * yi;
        for (let p = a; p < b; p++) w[X.idx[p]] += dl * X.val[p];
        w[dim] += dl;
      }
    }
    gap = pgMax - pgMin;
  }
  return { w, iterations: it, gap, converged: gap <= tol };
}

/**
 * Multinomial naive Bayes over the same hashed terms as the TF-IDF (raw counts of char n-grams
 * within word boundaries, then word n-grams in a block of their own), Lidstone smoothing `alpha`
 * over the terms seen in training, a uniform prior (as balanced class weights do for the SVM).
 * Scores are per-class log-likelihoods; the judge mixes them, normalised, into the SVM's
 * decision values (see judge.ts).
 */
export class HashedNb {
  constructor(
    readonly opts: VectorizerOptions,
    /** per class: log P(term | class) for every term index (0 where the term was never seen) */
    readonly logp: Float32Array[],
    /** 1 where the term was seen in training */
    readonly seen: Uint8Array,
  ) {}

  static counts(text: string, o: VectorizerOptions): Map<number, number> {
    const D = 1 << o.bits;
    const { chars, words } = termCounts(text, o);
    const m = new Map(chars);
    if (o.wordMax >= 1) for (const [j, c] of words) m.set(D + j, c);
    return m;
  }

  static fit(texts: string[], y: number[], K: number, alpha: number, opts: VectorizerOptions = DEFAULT_VECTORIZER): HashedNb {
    if (!(alpha > 0)) throw new Error(`naive Bayes: alpha must be > 0, got ${alpha}`);
    const dim = 2 << opts.bits;
    const cnt = Array.from({ length: K }, () => new Float64Array(dim));
    const tot = new Float64Array(K);
    const seen = new Uint8Array(dim);
    texts.forEach((t, i) => {
      for (const [j, c] of HashedNb.counts(t, opts)) {
        cnt[y[i]][j] += c;
        tot[y[i]] += c;
        seen[j] = 1;
      }
    });
    let V = 0;
    for (let j = 0; j < dim; j++) V += seen[j];
    const logp = cnt.map((c, k) => {
      const out = new Float32Array(dim);
      const z = Math.log(tot[k] + alpha * V);
      for (let j = 0; j < dim; j++) if (seen[j]) out[j] = Math.log(c[j] + alpha) - z;
      return out;
    });
    return new HashedNb(opts, logp, seen);
  }

  /** Per-class log-likelihood of the text's seen terms. */
  scores(text: string): number[] {
    const s = new Array(this.logp.length).fill(0);
    for (const [j, c] of HashedNb.counts(text, this.opts)) if (this.seen[j]) for (let k = 0; k < s.length; k++) s[k] += c * this.logp[k][j];
    return s;
  }
}
