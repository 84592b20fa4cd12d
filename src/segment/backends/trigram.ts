import { data } from 'franc-all/data.js';
import { lidText } from '../clean.js';
import type { LangGuess, LidBackend } from './types.js';

/**
 * A fast character-trigram classifier over franc's per-language trigram ranks (the data ships in
 * `franc-all`), scored as naive Bayes with a Zipf prior on rank: P(t | lang) ∝ 1 / (rank + K).
 * All languages are scored at once: one Map lookup per text trigram yields a weight vector,
 * so restricting to candidates costs nothing extra.
 */
const K = 10;
const UNSEEN = -Math.log(300 + K) - 1.5;

type Script = 'Latin' | 'Cyrillic' | 'Greek' | 'Other';

interface ScriptModel {
  langs: string[];
  index: Map<string, number>;
  /**
   * trigram (three character indices packed in one small integer) → row, by open addressing:
   * `keys[slot]` is the trigram or -1, `rows[slot]` its row; `mask` = slots - 1 (a power of two).
   */
  keys: Int32Array;
  rows: Int32Array;
  mask: number;
  /** row r's weight for language j is `weights[r * langs.length + j]` (one flat array: no Map, no pointer per trigram) */
  weights: Float32Array;
  /** scratch scores over all languages, reused by `logLik` */
  buf?: Float64Array;
}

/** The slot of trigram `key` in a model's open-addressing table (the trigram's or the empty one where it would go). */
function slotOf(keys: Int32Array, mask: number, key: number): number {
  let s = Math.imul(key, 0x9e3779b1) >>> 0;
  for (;;) {
    s &= mask;
    const k = keys[s];
    if (k === key || k === -1) return s;
    s++;
  }
}

/** The row of trigram `key`, or -1 when no modelled language has it. */
function rowOf(m: ScriptModel, key: number): number {
  const s = slotOf(m.keys, m.mask, key);
  return m.keys[s] === key ? m.rows[s] : -1;
}

/**
 * Every character of the models gets a small index (< 1023; 1023 = a character no model has), so a
 * trigram is one small integer (< 2^30: a V8 small integer, cheap as a Map key) and no string is
 * made per trigram.
 */
const NO_CHAR = 1023;
const ALPHA = new Uint16Array(65536).fill(NO_CHAR);
let alphaSize = 0;
function charIndex(code: number): number {
  if (ALPHA[code] === NO_CHAR) {
    if (alphaSize >= NO_CHAR) throw new Error('trigram models: more than 1022 distinct characters');
    ALPHA[code] = alphaSize++;
  }
  return ALPHA[code];
}
const key3 = (a: number, b: number, c: number) => (ALPHA[a] << 20) | (ALPHA[b] << 10) | ALPHA[c];

function scriptOf(text: string): Script {
  let latin = 0;
  let cyr = 0;
  let greek = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) continue;
    if (c < 0x250) latin++;
    else if (c >= 0x370 && c < 0x400) greek++;
    else if (c >= 0x400 && c < 0x530) cyr++;
    else if (c >= 0x1e00 && c < 0x1f00) latin++;
    else if (c >= 0x1f00 && c < 0x2000) greek++;
    else other++;
  }
  const max = Math.max(latin, cyr, greek, other);
  if (max === 0) return 'Other';
  return max === latin ? 'Latin' : max === greek ? 'Greek' : max === cyr ? 'Cyrillic' : 'Other';
}

export { scriptOf };

/** A script model as callers see it: its languages, in the order scores are given. */
export interface TrigramModel {
  readonly langs: readonly string[];
}

/**
 * Adds the summed log-likelihoods of `clean`'s trigrams (padded with a space each side) to
 * `score[0..k)`: for language j of the model (sel null, k = all) or language sel[j].
 */
function accumulate(m: ScriptModel, clean: string, sel: Int32Array | null, k: number, score: Float64Array): void {
  const L = clean.length;
  const { keys, rows, mask, weights } = m;
  const n = m.langs.length;
  let a = 32;
  let b = clean.charCodeAt(0);
  let unseen = 0;
  for (let i = 1; i <= L; i++) {
    const c = i < L ? clean.charCodeAt(i) : 32;
    const key = key3(a, b, c);
    a = b;
    b = c;
    let s = Math.imul(key, 0x9e3779b1) >>> 0;
    let row = -1;
    for (;;) {
      s &= mask;
      const x = keys[s];
      if (x === key) {
        row = rows[s] * n;
        break;
      }
      if (x === -1) break;
      s++;
    }
    if (row < 0) unseen++;
    else if (!sel) for (let j = 0; j < k; j++) score[j] += weights[row + j];
    else for (let j = 0; j < k; j++) score[j] += weights[row + sel[j]];
  }
  if (unseen) for (let j = 0; j < k; j++) score[j] += unseen * UNSEEN;
}

export class TrigramBackend implements LidBackend {
  readonly name = 'trigram';
  private readonly models = new Map<Script, ScriptModel>();

  /** @param languages ISO 639-3 codes to model (default: every language franc-all has a Latin or Cyrillic model for). */
  constructor(languages?: readonly string[]) {
    const want = languages ? new Set(languages) : undefined;
    for (const script of ['Latin', 'Cyrillic'] as const) {
      const table = (data as { [s: string]: { [l: string]: string } })[script];
      const langs = Object.keys(table).filter((l) => !want || want.has(l)).sort();
      const byKey = new Map<number, Float32Array>();
      langs.forEach((l, li) => {
        table[l].split('|').forEach((tri, rank) => {
          if (tri.length !== 3) return;
          const k = (charIndex(tri.charCodeAt(0)) << 20) | (charIndex(tri.charCodeAt(1)) << 10) | charIndex(tri.charCodeAt(2));
          let w = byKey.get(k);
          if (!w) {
            w = new Float32Array(langs.length).fill(UNSEEN);
            byKey.set(k, w);
          }
          w[li] = -Math.log(rank + K);
        });
      });
      // at most half full, so a probe ends after a slot or two
      let size = 16;
      while (size < 2 * byKey.size) size *= 2;
      const keys = new Int32Array(size).fill(-1);
      const rows = new Int32Array(size);
      const weights = new Float32Array(byKey.size * langs.length);
      let r = 0;
      for (const [k, w] of byKey) {
        const s = slotOf(keys, size - 1, k);
        keys[s] = k;
        rows[s] = r;
        weights.set(w, r * langs.length);
        r++;
      }
      this.models.set(script, { langs, index: new Map(langs.map((l, i) => [l, i])), keys, rows, mask: size - 1, weights });
    }
  }

  private readonly candidateCache = new Map<string, Map<Script, Int32Array>>();
  /** the same candidate array (the cascade caches one per country) skips the key join */
  private readonly byArray = new WeakMap<readonly string[], Map<Script, Int32Array>>();

  /** Indices of `candidates` in a script model, cached per candidate list. */
  private indices(m: ScriptModel, script: Script, candidates?: readonly string[]): Int32Array {
    let byScript = candidates ? this.byArray.get(candidates) : undefined;
    if (!byScript) {
      const key = candidates ? candidates.join(',') : '*';
      byScript = this.candidateCache.get(key);
      if (!byScript) {
        byScript = new Map();
        if (this.candidateCache.size > 1000) this.candidateCache.clear();
        this.candidateCache.set(key, byScript);
      }
      if (candidates) this.byArray.set(candidates, byScript);
    }
    let idx = byScript.get(script);
    if (!idx) {
      const list = candidates ? candidates.map((c) => m.index.get(c)).filter((i): i is number => i !== undefined) : m.langs.map((_, i) => i);
      idx = Int32Array.from(list);
      byScript.set(script, idx);
    }
    return idx;
  }

  detect(text: string, candidates?: readonly string[]): LangGuess[] {
    return this.detectClean(lidText(text), candidates);
  }

  /**
   * Summed trigram log-likelihoods of `clean` (after `lidText`) for each candidate of its script
   * model, with the candidates' codes and the number of trigrams; null for text of another script
   * (Greek, other) or too short. Without candidates the score array is reused by the next call.
   */
  logLik(clean: string, candidates?: readonly string[]): { langs: string[]; score: Float64Array; count: number } | null {
    if (clean.length < 3) return null;
    const script = scriptOf(clean);
    const m = this.models.get(script);
    if (!m) return null;
    const idx = this.indices(m, script, candidates);
    const k = idx.length;
    if (!k) return null;
    const all = k === m.langs.length;
    // over all languages the same buffer is reused (the caller consumes it before the next call)
    const score = all ? (m.buf ??= new Float64Array(k)).fill(0) : new Float64Array(k);
    accumulate(m, clean, all ? null : idx, k, score);
    return { langs: all ? m.langs : Array.from(idx, (i) => m.langs[i]), score, count: clean.length };
  }

  /** The script model `clean` (after `lidText`) is scored with, or null (too short, Greek, a script no model covers). */
  modelFor(clean: string): TrigramModel | null {
    if (clean.length < 3) return null;
    return this.models.get(scriptOf(clean)) ?? null;
  }

  /**
   * Summed trigram log-likelihoods of `clean` under `model` (from `modelFor`) for the languages at
   * positions `sel[0..k)` of `model.langs`, written to `out[0..k)`.
   */
  logLikOf(model: TrigramModel, clean: string, sel: Int32Array, k: number, out: Float64Array): void {
    out.fill(0, 0, k);
    accumulate(model as ScriptModel, clean, sel, k, out);
  }

  /** Like `detect`, for text already passed through `lidText`. */
  detectClean(clean: string, candidates?: readonly string[], logPrior?: readonly number[]): LangGuess[] {
    if (clean.length < 3) return [];
    const script = scriptOf(clean);
    if (script === 'Greek') return !candidates || candidates.includes('ell') ? [{ lang: 'ell', score: 1 }] : [];
    const m = this.models.get(script);
    if (!m) return [];
    const idx = this.indices(m, script, candidates);
    const k = idx.length;
    if (!k) return [];
    // Only the candidates' scores are accumulated.
    const score = new Float64Array(k);
    // rolling trigram over ' ' + clean + ' ', without building the padded string
    const L = clean.length;
    let a = 32;
    let b = clean.charCodeAt(0);
    let count = 0;
    for (let i = 1; i <= L; i++) {
      const c = i < L ? clean.charCodeAt(i) : 32;
      const r = rowOf(m, key3(a, b, c));
      a = b;
      b = c;
      count++;
      if (r >= 0) for (let j = 0, base = r * m.langs.length; j < k; j++) score[j] += m.weights[base + idx[j]];
      else for (let j = 0; j < k; j++) score[j] += UNSEEN;
    }
    // A country prior, log P(lang | country), added once to the summed log-likelihoods.
    if (logPrior && logPrior.length === k) for (let j = 0; j < k; j++) score[j] += logPrior[j];
    const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => score[b] - score[a]);
    // Score: a softmax over per-trigram average log-likelihoods, so it reads as a probability.
    const best = score[order[0]] / count;
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp((score[j] / count - best) * 6);
    const out: LangGuess[] = [];
    for (let r = 0; r < Math.min(5, k); r++) {
      const j = order[r];
      out.push({ lang: m.langs[idx[j]], score: Math.exp((score[j] / count - best) * 6) / z });
    }
    return out;
  }
}
