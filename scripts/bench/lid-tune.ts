/**
 * Chooses the cascade's ensemble weights (`WEIGHTS` in src/segment/cascade.ts) on the DEV half of
 * lingua's test data: lines 501–1000 of each file. Every reported figure (`scripts/bench/lid.ts`,
 * test/segment/lingua.test.ts) reads lines 1–500 only, which nothing is chosen on.
 *
 *   npx tsx scripts/bench/lid-tune.ts            grid of weights, accuracy per bucket, no country / typical country
 *   npx tsx scripts/bench/lid-tune.ts calib      calibration (log-loss, ECE) of the temperature at the chosen weights
 *   npx tsx scripts/bench/lid-tune.ts check      the real cascade (with its stack) on the dev half
 *   npx tsx scripts/bench/lid-tune.ts calib-stack  the stack's confidence temperature (STACK_CONFIDENCE): ECE on the dev half per value
 *   npx tsx scripts/bench/lid-tune.ts stack      fit the stack (model weights, per-language bias and length weight) and write src/segment/lid-stack.ts
 *                                                (HOLDOUT=1: log-loss of every other dev text held out; LEXW=n: the lexicons on texts of at most n words)
 *   npx tsx scripts/bench/lid-tune.ts contrast   fit RELATIVE_CONTRAST (the weight of franc's trigram contrast that tells gl, lb and mt from their neighbours)
 */
import { BUCKETS, linguaItems, type Bucket, type LinguaItem } from './lingua-data.js';
import { EU24 } from './udhr-snippets.js';
import fs from 'node:fs';
import path from 'node:path';
import { CONTRAST_PAIRS, Cascade, LEXICON_MAX_WORDS, RELATIVE_CONTRAST, WEIGHTS, headOf } from '../../src/segment/cascade.js';
import { letterCount, lidText } from '../../src/segment/clean.js';
import { WordModel } from '../../src/segment/backends/words.js';
import { fitStack, stackNll, type StackData } from './stack-fit.js';

const EU = Object.keys(EU24);
/** The dev half: lines 501–1000 of each file. */
const DEV = { from: 500, to: 1000 };
const dev: { [b in Bucket]: LinguaItem[] } = Object.fromEntries(BUCKETS.map((b) => [b, linguaItems(b, DEV.to, undefined, DEV.from)])) as { [b in Bucket]: LinguaItem[] };
const pct = (a: number, n: number) => ((100 * a) / n).toFixed(1);
const mode = process.argv[2] ?? 'grid';

if (mode === 'calib-stack') {
  // the real cascade (stack, shortlist) on the dev half, no country: accuracy and expected
  // calibration error (ten bins) at each confidence temperature; answers do not change
  const items = BUCKETS.flatMap((b) => dev[b]);
  for (const confidence of (process.env.CONF ?? '1,1.1,1.2,1.25,1.3,1.35,1.4,1.5').split(',').map(Number)) {
    const c = new Cascade({ languages: EU, weights: { confidence } });
    const bins = Array.from({ length: 10 }, () => ({ n: 0, stated: 0, ok: 0 }));
    let ok = 0;
    for (const it of items) {
      const r = c.detect(it.text);
      const bin = bins[Math.min(9, Math.floor(r.score * 10))];
      bin.n++;
      bin.stated += r.score;
      if (r.code === it.lang) (bin.ok++, ok++);
    }
    const ece = bins.reduce((e, b) => e + Math.abs(b.stated - b.ok), 0) / items.length;
    console.log(`confidence ${confidence}: accuracy ${pct(ok, items.length)}%, ECE ${(100 * ece).toFixed(2)}%`);
  }
  process.exit(0);
}

if (mode === 'contrast') {
  // RELATIVE_CONTRAST: what a nat of franc's trigram contrast between two close relatives is worth
  // when nothing else tells them apart: P(right | a text of a or b) = σ(w · (tri[a] − tri[b])),
  // fitted (Newton, one parameter) on the dev half's texts of the close pairs CONTRAST_PAIRS
  const c = new Cascade({ languages: EU }) as unknown as { trigram: { modelFor(t: string): { langs: string[] } | null; logLikOf(m: unknown, t: string, sel: Int32Array, n: number, out: Float64Array): void } };
  const d: number[] = [];
  const out = new Float64Array(2);
  for (const [a, b] of CONTRAST_PAIRS)
    for (const [x, other] of [[a, b], [b, a]])
      for (const bucket of BUCKETS)
        for (const it of dev[bucket]) {
          if (it.lang !== x) continue;
          const head = headOf(lidText(it.text));
          const model = c.trigram.modelFor(head);
          if (!model) continue;
          c.trigram.logLikOf(model, head, Int32Array.from([model.langs.indexOf(x), model.langs.indexOf(other)]), 2, out);
          d.push(out[0] - out[1]);
        }
  let w = 0;
  for (let i = 0; i < 50; i++) {
    let g = 0;
    let h = 0;
    for (const v of d) {
      const p = 1 / (1 + Math.exp(-w * v));
      g += (p - 1) * v;
      h += p * (1 - p) * v * v;
    }
    const step = g / h;
    w -= step;
    if (Math.abs(step) < 1e-9) break;
  }
  const right = d.filter((v) => v > 0).length;
  console.log(`${d.length} dev texts of ${CONTRAST_PAIRS.map((p) => p.join('/')).join(', ')}: right by the trigram contrast alone ${pct(right, d.length)}%; RELATIVE_CONTRAST ${w.toFixed(4)} (in use: ${RELATIVE_CONTRAST})`);
  process.exit(0);
}

if (mode === 'check') {
  for (const useCld of [false, true]) {
    const c = new Cascade({ languages: EU, useCld });
    const cells = [undefined, 'typical'].map((ctry) => BUCKETS.map((b) => pct(dev[b].filter((it) => c.detect(it.text, ctry && it.country).code === it.lang).length, dev[b].length)).join(' / '));
    console.log(`cascade EU-24 at ${JSON.stringify(WEIGHTS)}${useCld ? ', cld first' : ''}: none ${cells[0]}, typical ${cells[1]}`);
  }
  process.exit(0);
}

// per item, the raw evidence of every language of the script model (no shortlist)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const c = new Cascade({ languages: EU, shortlist: Infinity, stack: false }) as any;
if (process.env.RANK_K || process.env.FLOOR_GAP) c.words = new WordModel(EU, { rankK: Number(process.env.RANK_K ?? 10), floorGap: Number(process.env.FLOOR_GAP ?? 1.5) });
interface Feat { noEld: Uint8Array; evMax: number; lang: string; b: Bucket; langs: readonly string[]; tri: Float64Array; ev: Float64Array; wd: Float64Array; sh: Float64Array; lp: Float64Array; letters: number; lx: Float64Array }
const LEXW = Number(process.env.LEXW ?? LEXICON_MAX_WORDS);
const feats: Feat[] = [];
const fillMissing = (idx: Int32Array, src: Float64Array) => {
  let s = 0;
  let n = 0;
  for (const i of idx) if (i >= 0) (s += src[i]), n++;
  return Float64Array.from(idx, (i) => (i >= 0 ? src[i] : s / n));
};
for (const b of BUCKETS) {
  for (const it of dev[b]) {
    // as Cascade.detect reads a text: eld the whole cleaned text, the trigram and word models its head
    const clean = lidText(it.text);
    const head = headOf(clean);
    const letters = letterCount(clean);
    const model = c.trigram.modelFor(head);
    if (!model) {
      feats.push({ noEld: new Uint8Array(1), evMax: 0, lang: it.lang, b, langs: [/[\u0370-\u03ff]/.test(clean) ? 'ell' : 'und'], tri: new Float64Array(1), ev: new Float64Array(1), wd: new Float64Array(1), sh: new Float64Array(1), lp: new Float64Array(1), letters, lx: new Float64Array(1) });
      continue;
    }
    const langs = model.langs as string[];
    const k = langs.length;
    const tri = new Float64Array(k);
    const all = Int32Array.from(langs, (_, j) => j);
    c.trigram.logLikOf(model, head, all, k, tri);
    // word shape, as Cascade.detect reads it
    const sh = new Float64Array(k);
    c.shape.score(head, letters, c.shapeIdx(langs), all, k, sh);
    c.ngram4.score(clean, c.eldBuf);
    c.words.score(head, c.wordBuf);
    const ei = c.eldIdx(langs) as Int32Array;
    const lx = new Float64Array(k);
    c.lexiconOf(head, langs, all, k, lx, LEXW);
    const ev = fillMissing(ei, c.eldBuf);
    feats.push({ noEld: Uint8Array.from(ei, (i) => (i < 0 ? 1 : 0)), evMax: Math.max(...ev), lang: it.lang, b, langs, tri, ev, wd: fillMissing(c.wordIdx(langs), c.wordBuf), sh, lp: Float64Array.from(c.logPrior(it.country, langs)), letters, lx });
  }
}

type P = { fillUp?: number; eld: number; words: number; temperature: number; confidence: number };
function scores(f: Feat, p: P, country: boolean): Float64Array {
  return Float64Array.from(f.langs, (_, j) => (f.tri[j] + p.eld * (f.noEld[j] ? f.ev[j] + (p.fillUp ?? WEIGHTS.eldFill) * (f.evMax - f.ev[j]) : f.ev[j]) + p.words * f.wd[j]) / p.temperature + (country ? f.lp[j] : 0));
}
function run(p: P, country: boolean) {
  const ok: { [b: string]: number } = {};
  const n: { [b: string]: number } = {};
  const conf = new Map<string, number>();
  let nll = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, ok: 0 }));
  for (const f of feats) {
    n[f.b] = (n[f.b] ?? 0) + 1;
    const s = scores(f, p, country);
    let best = 0;
    for (let j = 1; j < s.length; j++) if (s[j] > s[best]) best = j;
    for (let j = 0; j < s.length; j++) s[j] /= p.confidence;
    let z = 0;
    for (let j = 0; j < s.length; j++) z += Math.exp(s[j] - s[best]);
    const ans = f.langs[best];
    const t = f.langs.indexOf(f.lang);
    nll += t >= 0 ? -(s[t] - s[best] - Math.log(z)) : 10;
    const post = 1 / z;
    const bin = bins[Math.min(9, Math.floor(post * 10))];
    bin.n++;
    bin.conf += post;
    if (ans === f.lang) (ok[f.b] = (ok[f.b] ?? 0) + 1), bin.ok++;
    else conf.set(`${f.b} ${f.lang}→${ans}`, (conf.get(`${f.b} ${f.lang}→${ans}`) ?? 0) + 1);
  }
  const ece = bins.reduce((e, x) => e + Math.abs(x.conf - x.ok), 0) / feats.length;
  return { acc: BUCKETS.map((b) => pct(ok[b] ?? 0, n[b])).join(' / '), conf, nll: nll / feats.length, ece };
}

if (mode === 'grid') {
  const eldW = (process.env.ELD ?? '0.04,0.06,0.08,0.1').split(',').map(Number);
  const wordW = (process.env.WORDS ?? '0,0.5,1,1.5,2').split(',').map(Number);
  for (const fillUp of (process.env.FILL ?? '0').split(',').map(Number)) for (const eld of eldW) for (const words of wordW) {
    const p = { fillUp, eld, words, temperature: 3, confidence: 1 };
    process.stdout.write(`eld fill ${fillUp} `);
    console.log(`eld ${eld} words ${words}: none ${run(p, false).acc}, typical ${run(p, true).acc}`);
  }
  const r = run(WEIGHTS, false);
  console.log(`\nworst confusions at ${JSON.stringify(WEIGHTS)}, no country: ${[...r.conf].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const r2 = run(WEIGHTS, true);
  console.log(`typical country: ${[...r2.conf].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
if (mode === 'calib') {
  // the confidence temperature only rescales the softmax (the answer stays the same)
  for (const confidence of [0.75, 1, 1.25, 1.5, 2, 2.5]) {
    const a = run({ ...WEIGHTS, confidence }, false);
    const b = run({ ...WEIGHTS, confidence }, true);
    console.log(`confidence ${confidence}: none log-loss ${a.nll.toFixed(3)} ECE ${(100 * a.ece).toFixed(1)}%; typical log-loss ${b.nll.toFixed(3)} ECE ${(100 * b.ece).toFixed(1)}%`);
  }
}

if (mode === 'stack') {
  // One weight per model (eld, words, word shape: shared by every language, so a language without
  // dev texts stays comparable) and per language a bias and a weight on log(1 + letters), fitted
  // as a multinomial logistic regression (no country) on the dev half, over the languages with dev
  // texts, to its optimum (Newton's method: stack-fit.ts), with a light ridge penalty LAM on the
  // standardised parameters (chosen by HOLDOUT=1: the log-loss of every other dev text held out).
  // The trigram model (franc's UDHR trigrams) is left out: fitted beside the others it takes a
  // weight of 0.004 and gains 0.0002 of dev log-loss (WITH_TRIGRAM=1 measures it); the cascade
  // reads it only for RELATIVE_CONTRAST (`contrast`).
  const WITH_TRIGRAM = !!process.env.WITH_TRIGRAM;
  // the models' features: trigram, eld, words, word shape, lexicons
  const F = 5;
  const FEATS = [0, 1, 2, 3, 4];
  const LAM = Number(process.env.LAM ?? 1e-5);
  const byModel = new Map<readonly string[], Feat[]>();
  for (const f of feats) if (f.langs.length > 1) byModel.set(f.langs, [...(byModel.get(f.langs) ?? []), f]);
  const shared: number[][] = [];
  const rows: { [l: string]: number[] } = {};
  let iterationsAll = 0;
  for (const [langs, items] of byModel) {
    const counts = new Map<string, number>();
    for (const f of items) counts.set(f.lang, (counts.get(f.lang) ?? 0) + 1);
    const fit = langs.map((l, j) => [l, j] as const).filter(([l]) => (counts.get(l) ?? 0) >= 50);
    const K = fit.length;
    const its = items.filter((f) => fit.some(([l]) => l === f.lang));
    const N = its.length;
    // per text and fitted language: trigram, eld, words, word shape (and log(1 + letters) apart)
    const X = new Float64Array(N * K * F);
    const len = new Float64Array(N);
    const y = new Int32Array(N);
    its.forEach((f, n) => {
      y[n] = fit.findIndex(([l]) => l === f.lang);
      len[n] = Math.log1p(f.letters);
      fit.forEach(([, j], k) => {
        const o = (n * K + k) * F;
        X[o] = WITH_TRIGRAM ? f.tri[j] : 0;
        X[o + 1] = f.noEld[j] ? f.ev[j] + WEIGHTS.eldFill * (f.evMax - f.ev[j]) : f.ev[j];
        X[o + 2] = f.wd[j];
        X[o + 3] = f.sh[j];
        X[o + 4] = f.lx[j];
      });
    });
    // standardise: parameters live on the scale of one standard deviation of their feature
    const sc = FEATS.map((q) => {
      let m = 0;
      let v = 0;
      for (let i = q; i < X.length; i += F) m += X[i];
      m /= N * K;
      for (let i = q; i < X.length; i += F) v += (X[i] - m) ** 2;
      return Math.sqrt(v / (N * K)) || 1;
    });
    for (let i = 0; i < X.length; i++) X[i] /= sc[i % F];
    const lsc = Math.sqrt(len.reduce((a, v) => a + v * v, 0) / N) || 1;
    for (let n = 0; n < N; n++) len[n] /= lsc;
    // HOLDOUT=1: every other text is held out of the fit and its log-loss reported
    const data: StackData = { N, K, F, X, len, y, held: process.env.HOLDOUT ? Uint8Array.from({ length: N }, (_, n) => n % 2) : undefined };
    const before = stackNll(data, new Float64Array(F + 2 * K));
    const { theta: u, iterations } = fitStack(data, LAM, { log: (l) => console.error(l) });
    iterationsAll += iterations;
    const after = stackNll(data, u);
    if (data.held) console.log(`LAM ${LAM}: log-loss ${after.toFixed(4)} on the fitted half, ${stackNll(data, u, true).toFixed(4)} on the held-out half`);
    // bias and length weight centred over the fitted languages, so a language without dev texts (bias 0) stands as an average one
    const bias = Array.from({ length: K }, (_, k) => u[F + 2 * k]);
    const lw = Array.from({ length: K }, (_, k) => u[F + 1 + 2 * k] / lsc);
    const mb = bias.reduce((a, v) => a + v, 0) / K;
    const ml = lw.reduce((a, v) => a + v, 0) / K;
    const w = FEATS.map((q) => u[q] / sc[q]);
    shared.push(w);
    fit.forEach(([l], k) => (rows[l] = [bias[k] - mb, lw[k] - ml]));
    console.log(`${langs.length}-language model: ${K} languages fitted on ${N - (data.held?.reduce((a, v) => a + v, 0) ?? 0)} dev texts in ${iterations} Newton steps; log-loss ${before.toFixed(4)} → ${after.toFixed(4)}; weights trigram ${w[0].toFixed(4)}, eld ${w[1].toFixed(4)}, words ${w[2].toFixed(4)}, shape ${w[3].toFixed(4)}, lexicon ${w[4].toFixed(4)}`);
  }
  if (shared.length !== 1) throw new Error(`expected one script model with several languages, got ${shared.length}`);
  const [w] = shared;
  const num = (v: number) => Number(v.toPrecision(6));
  const file = process.env.OUT ?? path.join(import.meta.dirname, '..', '..', 'src', 'segment', 'lid-stack.ts');
  const body = Object.entries(rows)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([l, r]) => `  ${l}: [${r.map(num).join(', ')}],`)
    .join('\n');
  fs.writeFileSync(
    file,
    `/**
 * The cascade's combination of its models, fitted as one multinomial logistic regression (no
 * country: the country prior is added at detection) on the DEV half of lingua's test data (lines
 * 501–1000 per file; every reported figure reads lines 1–500), over the languages that have dev
 * texts, to its optimum (${iterationsAll} Newton steps) under a light ridge penalty (${LAM}, on
 * standardised parameters): one weight per model's log-likelihood, shared by every language, and
 * per language a bias and a weight on log(1 + letters) (a length-dependent bias: what a model over-
 * or under-calls on short text). Bias and length weight are centred over the fitted languages, so a
 * language without a row (mlt and the non-EU ones) stands as an average language. The scores are
 * log-odds as they stand (the fit is the calibration).${w[0] === 0 ? '\n * The trigram model is not in the fit (weight 0; the cascade reads it only for RELATIVE_CONTRAST).' : ''} Written by
 * \`npx tsx scripts/bench/lid-tune.ts stack\`; do not edit by hand.
 */
export const STACK_WEIGHTS = { trigram: ${num(w[0])}, eld: ${num(w[1])}, words: ${num(w[2])}, shape: ${num(w[3])}, lexicon: ${num(w[4])} } as const;

export const STACK_BIAS: { readonly [iso3: string]: readonly [bias: number, perLogLetter: number] } = {
${body}
};
`,
  );
  console.log(`wrote ${file} (${Object.keys(rows).length} languages)`);
}
