/**
 * Chooses the cascade's ensemble weights (`WEIGHTS` in src/segment/cascade.ts) on the DEV half of
 * lingua's test data: lines 501–1000 of each file. Every reported figure (`scripts/bench/lid.ts`,
 * test/segment/lingua.test.ts) reads lines 1–500 only, which nothing is chosen on.
 *
 *   npx tsx scripts/bench/lid-tune.ts            grid of weights, accuracy per bucket, no country / typical country
 *   npx tsx scripts/bench/lid-tune.ts calib      calibration (log-loss, ECE) of the temperature at the chosen weights
 *   npx tsx scripts/bench/lid-tune.ts check      the real cascade at WEIGHTS on the dev half
 */
import { BUCKETS, linguaItems, type Bucket, type LinguaItem } from './lingua-data.js';
import { EU24 } from './udhr-snippets.js';
import { Cascade, WEIGHTS } from '../../src/segment/cascade.js';
import { lidText } from '../../src/segment/clean.js';
import { WordModel } from '../../src/segment/backends/words.js';

const EU = Object.keys(EU24);
/** The dev half: lines 501–1000 of each file. */
const DEV = { from: 500, to: 1000 };
const dev: { [b in Bucket]: LinguaItem[] } = Object.fromEntries(BUCKETS.map((b) => [b, linguaItems(b, DEV.to, undefined, DEV.from)])) as { [b in Bucket]: LinguaItem[] };
const pct = (a: number, n: number) => ((100 * a) / n).toFixed(1);
const mode = process.argv[2] ?? 'grid';

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
const c = new Cascade({ languages: EU, shortlist: Infinity }) as any;
if (process.env.RANK_K || process.env.FLOOR_GAP) c.words = new WordModel(EU, { rankK: Number(process.env.RANK_K ?? 10), floorGap: Number(process.env.FLOOR_GAP ?? 1.5) });
interface Feat { noEld: Uint8Array; evMax: number; lang: string; b: Bucket; langs: readonly string[]; tri: Float64Array; ev: Float64Array; wd: Float64Array; lp: Float64Array }
const feats: Feat[] = [];
const fillMissing = (idx: Int32Array, src: Float64Array) => {
  let s = 0;
  let n = 0;
  for (const i of idx) if (i >= 0) (s += src[i]), n++;
  return Float64Array.from(idx, (i) => (i >= 0 ? src[i] : s / n));
};
for (const b of BUCKETS) {
  for (const it of dev[b]) {
    const clean = lidText(it.text).slice(0, 400);
    const model = c.trigram.modelFor(clean);
    if (!model) {
      feats.push({ noEld: new Uint8Array(1), evMax: 0, lang: it.lang, b, langs: [/[\u0370-\u03ff]/.test(clean) ? 'ell' : 'und'], tri: new Float64Array(1), ev: new Float64Array(1), wd: new Float64Array(1), lp: new Float64Array(1) });
      continue;
    }
    const langs = model.langs as string[];
    const k = langs.length;
    const tri = new Float64Array(k);
    c.trigram.logLikOf(model, clean, Int32Array.from(langs, (_, j) => j), k, tri);
    c.ngram4.score(clean, c.eldBuf);
    c.words.score(clean, c.wordBuf);
    const ei = c.eldIdx(langs) as Int32Array;
    const ev = fillMissing(ei, c.eldBuf);
    feats.push({ noEld: Uint8Array.from(ei, (i) => (i < 0 ? 1 : 0)), evMax: Math.max(...ev), lang: it.lang, b, langs, tri, ev, wd: fillMissing(c.wordIdx(langs), c.wordBuf), lp: Float64Array.from(c.logPrior(it.country, langs)) });
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
