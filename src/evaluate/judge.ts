import fs from 'node:fs';
import zlib from 'node:zlib';
import { InputError } from '../errors.js';

/**
 * The variety judge: per language, a multinomial logistic regression over hashed character
 * 1–4-grams (with word boundaries), trained by SGD with L2. Why: character n-grams catch
 * spelling and morphology (Sackerl, -ke, κ→τζ) as well as words, need no tokenizer per language,
 * and a linear model is fast (one pass over n-grams per post), gives probabilities for the
 * generation score, and is easy to inspect. Trained on train shards, reported on validation.
 */
const DIM = 1 << 16;

function features(text: string): Map<number, number> {
  const t = ' ' + text.toLowerCase().replace(/\s+/g, ' ').replace(/<[a-z]+>/gi, ' ') + ' ';
  const f = new Map<number, number>();
  for (let n = 1; n <= 4; n++) {
    for (let i = 0; i + n <= t.length; i++) {
      let h = 0x811c9dc5 ^ n;
      for (let k = i; k < i + n; k++) h = Math.imul(h ^ t.charCodeAt(k), 0x01000193);
      const j = (h >>> 0) % DIM;
      f.set(j, (f.get(j) ?? 0) + 1);
    }
  }
  // L2-normalise so long and short posts weigh alike
  let z = 0;
  for (const v of f.values()) z += v * v;
  z = Math.sqrt(z) || 1;
  for (const [k, v] of f) f.set(k, v / z);
  return f;
}

export class LanguageJudge {
  constructor(
    readonly labels: string[],
    private readonly w: Float32Array[],
    private readonly b: Float64Array,
  ) {}

  static train(texts: string[], labels: string[], opts: { epochs?: number; lr?: number; l2?: number; seed?: number } = {}): LanguageJudge {
    const ls = [...new Set(labels)].sort();
    const K = ls.length;
    const w = ls.map(() => new Float32Array(DIM));
    const b = new Float64Array(K);
    const X = texts.map(features);
    const y = labels.map((l) => ls.indexOf(l));
    // class weights: balanced, so a big locale does not swallow a small one
    const counts = ls.map((_, k) => y.filter((v) => v === k).length);
    const cw = counts.map((c) => texts.length / (K * Math.max(1, c)));
    const epochs = opts.epochs ?? 8;
    const l2 = opts.l2 ?? 1e-5;
    let order = X.map((_, i) => i);
    let s = (opts.seed ?? 7) >>> 0;
    for (let ep = 0; ep < epochs; ep++) {
      // deterministic shuffle per epoch
      order = order
        .map((i) => {
          s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + i) >>> 0;
          return [s, i] as const;
        })
        .sort((a, c) => a[0] - c[0])
        .map(([, i]) => i);
      const lr = (opts.lr ?? 0.5) / (1 + ep);
      for (const i of order) {
        const p = softmax(ls.map((_, k) => dot(w[k], X[i]) + b[k]));
        for (let k = 0; k < K; k++) {
          const g = (p[k] - (y[i] === k ? 1 : 0)) * cw[y[i]];
          for (const [j, v] of X[i]) w[k][j] -= lr * (g * v + l2 * w[k][j]);
          b[k] -= lr * g;
        }
      }
    }
    return new LanguageJudge(ls, w, b);
  }

  /** P(locale | text) for every label. */
  probs(text: string): { [label: string]: number } {
    const x = features(text);
    const p = softmax(this.labels.map((_, k) => dot(this.w[k], x) + this.b[k]));
    return Object.fromEntries(this.labels.map((l, k) => [l, p[k]]));
  }

  predict(text: string): string {
    const p = this.probs(text);
    return this.labels.reduce((a, c) => (p[c] > p[a] ? c : a), this.labels[0]);
  }

  toJSON() {
    return { labels: this.labels, b: [...this.b], w: this.w.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64')) };
  }

  static fromJSON(j: { labels: string[]; b: number[]; w: string[] }): LanguageJudge {
    return new LanguageJudge(
      j.labels,
      j.w.map((s) => {
        const buf = Buffer.from(s, 'base64');
        return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      }),
      Float64Array.from(j.b),
    );
  }
}

function dot(w: Float32Array, x: Map<number, number>): number {
  let s = 0;
  for (const [j, v] of x) s += w[j] * v;
  return s;
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / s);
}

/** All judges of a build: language → judge over that language's locales. */
export interface JudgeSet {
  judges: { [lang: string]: LanguageJudge };
  report: { [lang: string]: unknown };
}

export function saveJudges(file: string, set: JudgeSet): void {
  fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({ format: 'vernacular-judge-1', report: set.report, judges: Object.fromEntries(Object.entries(set.judges).map(([l, j]) => [l, j.toJSON()])) })));
}

export function loadJudges(file: string): JudgeSet {
  if (!fs.existsSync(file)) throw new InputError(`judge not found: ${file} (train it with \`vernacular judge train --build <dir>\`)`);
  try {
    const j = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
    if (j?.format !== 'vernacular-judge-1') throw new Error(`unknown format ${String(j?.format)}`);
    return { report: j.report, judges: Object.fromEntries(Object.entries(j.judges).map(([l, x]) => [l, LanguageJudge.fromJSON(x as never)])) };
  } catch (e) {
    throw new InputError(`${file}: not a vernacular judge file (${(e as Error).message})`, { cause: e });
  }
}
