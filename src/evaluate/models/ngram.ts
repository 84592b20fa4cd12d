import fs from 'node:fs';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { hash32 } from '../../hash.js';
import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';
import { rng } from '../metrics.js';

/**
 * A character n-gram language model with interpolated Witten-Bell smoothing — the built-in
 * baseline. Tokens are characters (code points), so bits per byte are comparable with any
 * tokenizer. P(c | h) = (C(h c) + T(h) · P(c | h')) / (C(h) + T(h)), T(h) = distinct followers
 * of h, recursing down to an add-one unigram over the seen characters plus one unknown slot.
 */
export class CharNgram {
  readonly order: number;
  /** context (order-1 chars at most) → follower → count */
  private readonly counts: Map<string, Map<string, number>>;
  private readonly totals = new Map<string, { n: number; t: number }>();
  private vocab = 0;
  private unigramN = 0;

  constructor(order = 5, counts = new Map<string, Map<string, number>>()) {
    this.order = order;
    this.counts = counts;
    this.reindex();
  }

  private reindex(): void {
    this.totals.clear();
    this.ranked = undefined;
    for (const [h, m] of this.counts) {
      let n = 0;
      for (const c of m.values()) n += c;
      this.totals.set(h, { n, t: m.size });
    }
    const uni = this.counts.get('');
    this.vocab = uni?.size ?? 0;
    this.unigramN = this.totals.get('')?.n ?? 0;
  }

  /** Count every character of `text` under each of its histories (text is framed by \n). */
  add(text: string): void {
    const chars = Array.from('\n' + text + '\n');
    for (let i = 1; i < chars.length; i++) {
      for (let k = 0; k < this.order && i - k >= 0; k++) {
        const h = chars.slice(i - k, i).join('');
        let m = this.counts.get(h);
        if (!m) this.counts.set(h, (m = new Map()));
        m.set(chars[i], (m.get(chars[i]) ?? 0) + 1);
      }
    }
  }

  finish(): this {
    this.reindex();
    return this;
  }

  /** P(c | history) with Witten-Bell interpolation. */
  prob(history: string[], c: string): number {
    const uni = this.counts.get('');
    let p = ((uni?.get(c) ?? 0) + 1) / (this.unigramN + this.vocab + 1);
    for (let k = 1; k < this.order && k <= history.length; k++) {
      const h = history.slice(history.length - k).join('');
      const tot = this.totals.get(h);
      if (!tot) break;
      const cnt = this.counts.get(h)!.get(c) ?? 0;
      p = (cnt + tot.t * p) / (tot.n + tot.t);
    }
    return p;
  }

  /**
   * The k most likely next characters after `history` with their probabilities, exactly: a
   * character that follows none of the history's suffixes gets the unigram probability scaled by
   * the same back-off weights as every other such character, so the best of those are the best
   * unigram characters; only the followers of the one-character history need scoring one by one.
   */
  topNext(history: string[], k: number): Array<[string, number]> {
    if (k <= 0) return [];
    const hist = history.slice(-(this.order - 1));
    const followers = this.order > 1 && hist.length ? this.counts.get(hist[hist.length - 1]) : undefined;
    const cands = new Set<string>(followers?.keys() ?? []);
    let extra = 0;
    for (const c of this.unigramRanked()) {
      if (extra >= k) break;
      if (!cands.has(c)) {
        cands.add(c);
        extra++;
      }
    }
    const scored = [...cands].map((c) => [c, this.prob(hist, c)] as [string, number]);
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, k);
  }

  private ranked?: string[];
  private unigramRanked(): string[] {
    if (!this.ranked) {
      const uni = this.counts.get('') ?? new Map<string, number>();
      this.ranked = [...uni.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
    }
    return this.ranked;
  }

  /** Every character seen in training. */
  vocabulary(): string[] {
    return [...(this.counts.get('')?.keys() ?? [])];
  }

  /** Per-character log-probabilities (for an OpenAI-style `logprobs` response). */
  charLogprobs(prefix: string, text: string): number[] {
    const hist = Array.from(prefix).slice(-(this.order - 1));
    const out: number[] = [];
    for (const c of Array.from(text)) {
      out.push(Math.log(this.prob(hist, c)));
      hist.push(c);
      if (hist.length > this.order - 1) hist.shift();
    }
    return out;
  }

  /** Seeded sampling (temperature 0.8) until a stop string or `max` characters. */
  sample(prefix: string, until: string[], max: number, seed: number): string {
    const rand = rng(seed >>> 0 || 1);
    const hist = Array.from(prefix).slice(-(this.order - 1));
    let out = '';
    const cands = [...(this.counts.get('')?.keys() ?? [])].sort();
    for (let i = 0; i < max; i++) {
      const ps = cands.map((c) => Math.pow(this.prob(hist, c), 1 / 0.8));
      const z = ps.reduce((a, b) => a + b, 0);
      let r = rand() * z;
      let pick = cands[cands.length - 1];
      for (let j = 0; j < cands.length; j++) {
        r -= ps[j];
        if (r <= 0) {
          pick = cands[j];
          break;
        }
      }
      out += pick;
      if (until.some((u) => u && out.endsWith(u))) {
        const u = until.find((x) => x && out.endsWith(x))!;
        return out.slice(0, out.length - u.length);
      }
      hist.push(pick);
      if (hist.length > this.order - 1) hist.shift();
    }
    return out;
  }

  toJSON(): { order: number; counts: Array<[string, Array<[string, number]>]> } {
    return { order: this.order, counts: [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([h, m]) => [h, [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))]) };
  }

  static fromJSON(j: { order: number; counts: Array<[string, Array<[string, number]>]> }): CharNgram {
    return new CharNgram(j.order, new Map(j.counts.map(([h, m]) => [h, new Map(m)])));
  }
}

/** The saved baseline: a global LM and one per locale (for the locale-conditioned variant). */
export interface BaselineFile {
  format: 'vernacular-ngram-1';
  order: number;
  trainedOn: { build: string; docs: number; chars: number; locales: { [l: string]: number } };
  preambles: { [locale: string]: string };
  global: ReturnType<CharNgram['toJSON']>;
  locales: { [locale: string]: ReturnType<CharNgram['toJSON']> };
}

export function saveBaseline(file: string, b: BaselineFile): void {
  fs.writeFileSync(file, zlib.gzipSync(JSON.stringify(b), { level: 6 }));
}

function loadBaseline(file: string): { data: BaselineFile; sha256: string } {
  if (!fs.existsSync(file)) throw new InputError(`ngram model not found: ${file} (train one with \`vernacular baseline train\`)`);
  const buf = fs.readFileSync(file);
  let data: BaselineFile;
  try {
    data = JSON.parse(zlib.gunzipSync(buf).toString('utf8'));
  } catch {
    throw new InputError(`${file}: not a vernacular n-gram model (expected gzip JSON)`);
  }
  if (data.format !== 'vernacular-ngram-1') throw new InputError(`${file}: unknown model format ${String(data.format)}`);
  return { data, sha256: createHash('sha256').update(buf).digest('hex') };
}

/**
 * The baseline as a Model. Unconditioned: the global LM. Conditioned (`ngram:<path>?conditioned`):
 * when the context starts with a locale's preamble, P = ½ P_locale + ½ P_global.
 */
export class NgramModel implements Model {
  readonly id: string;
  private readonly global: CharNgram;
  private readonly perLocale = new Map<string, CharNgram>();
  private readonly preambles: Array<[string, string]>;

  constructor(file: string, readonly conditioned = false) {
    const { data, sha256 } = loadBaseline(file);
    this.id = `ngram:${sha256}${conditioned ? '?conditioned' : ''}`;
    try {
      this.global = CharNgram.fromJSON(data.global);
      if (conditioned) for (const [l, j] of Object.entries(data.locales)) this.perLocale.set(l, CharNgram.fromJSON(j));
      this.preambles = Object.entries(data.preambles);
    } catch (e) {
      throw new InputError(`${file}: corrupt n-gram model (${(e as Error).message})`, { cause: e });
    }
  }

  private lmFor(context: string): (prefix: string, text: string) => number[] {
    {
      const loc = this.localeLm(context);
      if (loc) {
        return (prefix, text) => {
          const a = this.global.charLogprobs(prefix, text);
          const b = loc.charLogprobs(prefix, text);
          return a.map((x, i) => Math.log(0.5 * Math.exp(x) + 0.5 * Math.exp(b[i])));
        };
      }
    }
    return (prefix, text) => this.global.charLogprobs(prefix, text);
  }

  /** Per-character log-probabilities of `text` after `context` (what serve-model returns as logprobs). */
  charLogprobs(context: string, text: string): number[] {
    return this.lmFor(context)(context, text);
  }

  /** Per-character log-probabilities of `text` from an empty history, the model chosen by the start of `selectBy`. */
  textLogprobs(selectBy: string, text: string): number[] {
    return this.lmFor(selectBy)('', text);
  }

  /**
   * The k most likely characters after `context`, as natural-log probabilities, best first. The
   * model (global, or the locale mixture) is chosen from the start of `selectBy` (the whole prompt),
   * as in charLogprobs. The mixture is scored over the whole vocabulary.
   */
  topNext(selectBy: string, context: string, k: number): Array<[string, number]> {
    if (k <= 0) return [];
    const hist = Array.from(context).slice(-(this.global.order - 1));
    const loc = this.localeLm(selectBy);
    if (!loc) return this.global.topNext(hist, k).map(([c, p]) => [c, Math.log(p)]);
    const scored = this.global.vocabulary().map((c) => [c, Math.log(0.5 * this.global.prob(hist, c) + 0.5 * loc.prob(hist, c))] as [string, number]);
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return scored.slice(0, k);
  }

  private localeLm(context: string): CharNgram | undefined {
    if (!this.conditioned) return undefined;
    const hit = this.preambles.find(([, p]) => p && context.startsWith(p));
    return hit ? this.perLocale.get(hit[0]) : undefined;
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return reqs.map((r) => {
      const lps = this.charLogprobs(r.context, r.continuation);
      let s = 0;
      for (const x of lps) s += x;
      return { logprob: s, greedy: false };
    });
  }

  async loglikelihoodRolling(texts: string[]) {
    return texts.map((t) => this.charLogprobs('', t).reduce((s, x) => s + x, 0));
  }

  async generate(reqs: GenerateRequest[]) {
    return reqs.map((r) => {
      const seed = hash32(r.context);
      return this.global.sample(r.context, r.until, r.maxTokens, seed);
    });
  }
}
