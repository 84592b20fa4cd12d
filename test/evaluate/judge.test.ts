import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LanguageJudge, NB_MIN_HELD_OUT, NB_WEIGHT_GRID, SELF_TRAIN_SHARE } from '../../src/evaluate/judge.js';
import { fitTemperature } from '../../src/evaluate/judge-calibration.js';
import { loadJudges, saveJudges } from '../../src/evaluate/judge-file.js';
import { HashedNb, HashedTfidf, svmDual, termCounts, DEFAULT_VECTORIZER, prng } from '../../src/evaluate/linear.js';
import { classification, expectedCalibrationError } from '../../src/evaluate/metrics.js';
import { ROOT, cli, tmpDir } from '../helpers.js';
import { readTsv } from '../../scripts/bench/gdi-data.js';

/**
 * Synthetic "varieties": one random base vocabulary, and per variety a few systematic spelling
 * changes (a→ä, -en→-e, …) plus a few words of its own — what dialect text looks like to a
 * character n-gram model. Generated from a seed, so every run tries other words.
 */
function varieties(seed: number, K: number, perClass: number[]) {
  const r = prng(seed);
  const letters = 'abcdefghiklmnoprstuvw';
  const word = () => Array.from({ length: 3 + Math.floor(r() * 6) }, () => letters[Math.floor(r() * letters.length)]).join('');
  const base = Array.from({ length: 300 }, word);
  const subs = [
    ['a', 'ä'],
    ['o', 'ö'],
    ['u', 'ü'],
    ['e', 'i'],
    ['s', 'sch'],
    ['k', 'ch'],
  ];
  const rules = Array.from({ length: K }, (_, k) => subs[k % subs.length]);
  const own = Array.from({ length: K }, () => Array.from({ length: 6 }, word));
  const texts: string[] = [];
  const labels: string[] = [];
  for (let k = 0; k < K; k++)
    for (let i = 0; i < perClass[k]; i++) {
      const ws = Array.from({ length: 4 + Math.floor(r() * 8) }, () => (r() < 0.12 ? own[k][Math.floor(r() * 6)] : base[Math.floor(r() * base.length)]));
      // the variety's spelling rule applies to about half of its words: not a giveaway in every word
      texts.push(ws.map((w) => (r() < 0.5 ? w.split(rules[k][0]).join(rules[k][1]) : w)).join(' '));
      labels.push(`V${k}`);
    }
  return { texts, labels };
}

/** a 2^16 hashed space for the synthetic tests: the same maths, less memory and time */
const SMALL = { bits: 16 };

function split<T>(xs: T[], every: number) {
  return { train: xs.filter((_, i) => i % every !== 0), test: xs.filter((_, i) => i % every === 0) };
}

describe('linear pieces', () => {
  it('char n-grams within word boundaries count as scikit-learn char_wb does', () => {
    // ' ab ' has 1-grams ' ','a','b',' ' (4), 2-grams 3, 3-grams 2, 4-grams 1, and no 5-gram: the whole word once more
    const { chars } = termCounts('ab', { ...DEFAULT_VECTORIZER, wordMax: 0 });
    const total = [...chars.values()].reduce((s, x) => s + x, 0);
    expect(total).toBe(4 + 3 + 2 + 1 + 1);
    // case, punctuation and markup placeholders do not change the terms
    expect(termCounts('Ab, <url> ab!', DEFAULT_VECTORIZER)).toEqual(termCounts('ab ab', DEFAULT_VECTORIZER));
  });

  it('rows are L2-normalised and unseen n-grams carry nothing', () => {
    const v = HashedTfidf.fit(['grüezi mitenand', 'servus beinand'], DEFAULT_VECTORIZER);
    const x = v.row('grüezi servus');
    expect(x.val.reduce((s, a) => s + a * a, 0)).toBeCloseTo(1, 6);
    // only the padding spaces of 'qqqq zzzz' were seen in training: every n-gram with q or z is dropped
    const u = v.row('qqqq zzzz');
    for (const j of u.idx) expect(v.idf[j]).toBeGreaterThan(0);
    expect(u.idx.length).toBeLessThan(v.row('grüezi servus').idx.length / 5);
  });

  it('the dual solver reaches the KKT gap on a separable problem and separates it', () => {
    for (const seed of [1, 2, 3]) {
      const { texts, labels } = varieties(seed, 2, [60, 60]);
      const v = HashedTfidf.fit(texts, { ...DEFAULT_VECTORIZER, ...SMALL });
      const X = v.transform(texts);
      const y = Int8Array.from(labels, (l) => (l === 'V0' ? 1 : -1));
      const r = svmDual(X, y, new Float64Array(y.length).fill(10), v.dim, seed);
      expect(r.converged).toBe(true);
      expect(r.gap).toBeLessThanOrEqual(1e-4);
      let wrong = 0;
      for (let i = 0; i < y.length; i++) {
        let d = r.w[v.dim];
        for (let p = X.ptr[i]; p < X.ptr[i + 1]; p++) d += r.w[X.idx[p]] * X.val[p];
        if (Math.sign(d) !== y[i]) wrong++;
      }
      expect(wrong, `seed ${seed}`).toBe(0);
    }
  });

  it('naive Bayes: log P(term | class) is (count + alpha) / (class total + alpha × terms seen), over hashed terms', () => {
    for (const seed of [1, 2]) {
      const r = prng(seed);
      const texts = Array.from({ length: 12 }, () => Array.from({ length: 1 + Math.floor(r() * 4) }, () => ['grüezi', 'servus', 'moin', 'hoi', 'tschau'][Math.floor(r() * 5)]).join(' '));
      const y = texts.map((_, i) => i % 3);
      const o = { ...DEFAULT_VECTORIZER, ...SMALL };
      const alpha = 0.1 + r();
      const nb = HashedNb.fit(texts, y, 3, alpha, o);
      // oracle: counts summed independently of the implementation's arrays
      const per = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
      const seen = new Set<number>();
      texts.forEach((t, i) => {
        for (const [j, c] of HashedNb.counts(t, o)) {
          per[y[i]].set(j, (per[y[i]].get(j) ?? 0) + c);
          seen.add(j);
        }
      });
      const tot = per.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
      for (const t of ['grüezi hoi', 'moin moin servus', 'qqq']) {
        const want = per.map((m, k) => {
          let s = 0;
          for (const [j, c] of HashedNb.counts(t, o)) if (seen.has(j)) s += c * Math.log(((m.get(j) ?? 0) + alpha) / (tot[k] + alpha * seen.size));
          return s;
        });
        nb.scores(t).forEach((v, k) => expect(v).toBeCloseTo(want[k], 3));
      }
    }
  });

  it('temperature scaling recovers the temperature the labels were drawn at', () => {
    for (const T of [0.3, 1, 3]) {
      const r = prng(Math.round(T * 100));
      const D: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const d = [r() * 6 - 3, r() * 6 - 3, r() * 6 - 3];
        const e = d.map((x) => Math.exp(x / T));
        const s = e.reduce((a, b) => a + b);
        let u = r() * s;
        let k = 0;
        while (k < 2 && u > e[k]) u -= e[k++];
        D.push(d);
        y.push(k);
      }
      expect(fitTemperature(D, y) / T).toBeGreaterThan(0.85);
      expect(fitTemperature(D, y) / T).toBeLessThan(1.15);
    }
  });

  it('expected calibration error: 0 when confidence matches accuracy, the gap when it does not', () => {
    const conf = Array.from({ length: 1000 }, () => 0.8);
    const correct = conf.map((_, i) => i % 5 !== 0);
    expect(expectedCalibrationError(conf, correct)).toBeCloseTo(0, 9);
    expect(expectedCalibrationError(conf, conf.map(() => false))).toBeCloseTo(0.8, 9);
    expect(expectedCalibrationError([0.99, 0.6], [true, false])).toBeCloseTo((0.01 + 0.6) / 2, 9);
  });
});

describe('LanguageJudge', () => {
  it('learns synthetic varieties, seed-stable, with calibrated probabilities', () => {
    for (const seed of [11]) {
      const d = varieties(seed, 3, [150, 150, 150]);
      const tr = { texts: split(d.texts, 4).train, labels: split(d.labels, 4).train };
      const te = { texts: split(d.texts, 4).test, labels: split(d.labels, 4).test };
      const f1s = [1, 2, 3].map((s) => {
        const j = LanguageJudge.train(tr.texts, tr.labels, { seed: s, vectorizer: SMALL });
        expect(j.report!.solver.converged).toBe(true);
        return classification(te.labels, te.texts.map((t) => j.predict(t))).macroF1;
      });
      expect(Math.min(...f1s), `seed ${seed}`).toBeGreaterThan(0.7);
      expect(Math.max(...f1s) - Math.min(...f1s), `seed ${seed}`).toBeLessThanOrEqual(0.02);
      const j = LanguageJudge.train(tr.texts, tr.labels, { seed: 1, vectorizer: SMALL });
      const p = te.texts.map((t) => j.probs(t));
      for (const q of p) expect(Object.values(q).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      const top = p.map((q) => Object.entries(q).sort((a, b) => b[1] - a[1])[0]);
      expect(expectedCalibrationError(top.map((t) => t[1]), top.map((t, i) => t[0] === te.labels[i]))).toBeLessThan(0.12);
    }
  });

  it('the same seed gives the same judge, byte for byte', () => {
    const d = varieties(5, 2, [80, 80]);
    const a = JSON.stringify(LanguageJudge.train(d.texts, d.labels, { seed: 3, vectorizer: SMALL }).toJSON());
    const b = JSON.stringify(LanguageJudge.train(d.texts, d.labels, { seed: 3, vectorizer: SMALL }).toJSON());
    expect(a).toBe(b);
  });

  it('class weights keep a small variety from being swallowed by a big one', () => {
    const d = varieties(21, 2, [600, 60]);
    const idx = d.texts.map((_, i) => i);
    const te = idx.filter((i) => i % 3 === 0);
    const tr = idx.filter((i) => i % 3 !== 0);
    const j = LanguageJudge.train(tr.map((i) => d.texts[i]), tr.map((i) => d.labels[i]), { seed: 1, vectorizer: SMALL });
    expect(j.report!.classWeights.V1).toBeGreaterThan(j.report!.classWeights.V0 * 5);
    const c = classification(te.map((i) => d.labels[i]), te.map((i) => j.predict(d.texts[i])));
    expect(c.perClass.find((x) => x.label === 'V1')!.recall).toBeGreaterThan(0.6);
  });

  it('the calibration fold takes whole groups (authors)', () => {
    const d = varieties(8, 2, [800, 800]);
    const groups = d.texts.map((_, i) => `a${Math.floor(i / 10)}`);
    const j = LanguageJudge.train(d.texts, d.labels, { seed: 4, groups, vectorizer: { bits: 12 }, nbWeight: 0 });
    expect(j.report!.calibration.n).toBeGreaterThanOrEqual(NB_MIN_HELD_OUT);
    expect(j.report!.calibration.n % 10).toBe(0);
    expect(j.report!.calibration.folds).toBe(1);
    expect(j.report!.heldOut!.n).toBe(j.report!.calibration.n);
  });

  it('a small set is scored out of fold in whole groups: the temperature sees every text, and the seed moves it little', () => {
    const d = varieties(8, 2, [100, 100]);
    const groups = d.texts.map((_, i) => `a${Math.floor(i / 10)}`);
    const js = [1, 2, 3].map((seed) => LanguageJudge.train(d.texts, d.labels, { seed, groups, vectorizer: SMALL }));
    for (const j of js) {
      expect(j.report!.calibration.n).toBe(d.texts.length);
      expect(j.report!.heldOut!.n).toBe(d.texts.length);
      expect(j.report!.calibration.folds).toBe(5);
      expect(j.nbWeight).toBe(0);
    }
    // predictions do not depend on the seed (converged, NB weight 0): the same judge but its temperature
    for (const t of d.texts.slice(0, 30)) expect(new Set(js.map((j) => j.predict(t))).size).toBe(1);
    const Ts = js.map((j) => j.temperature);
    expect(Math.max(...Ts) / Math.min(...Ts)).toBeLessThan(1.5);
  });

  it('the NB weight is the grid value of least held-out log-loss; fixed by the caller; 0 on a small set', () => {
    // 3 × 600 texts: a held-out fold of 360, enough to choose (NB_MIN_HELD_OUT)
    const d = varieties(5, 3, [600, 600, 600]);
    const j = LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: SMALL });
    expect(j.report!.calibration.n).toBeGreaterThanOrEqual(NB_MIN_HELD_OUT);
    const tried = j.report!.nbWeightChoice!;
    expect(tried.map((t) => t.nbWeight)).toEqual(NB_WEIGHT_GRID);
    const least = Math.min(...tried.map((t) => t.nll));
    expect(tried.find((t) => t.nbWeight === j.nbWeight)!.nll).toBeLessThanOrEqual(least + 1e-4);
    expect(j.report!.hyper.nbWeight).toBe(j.nbWeight);
    // a weight given by the caller is kept and nothing is tried
    const fixed = LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: SMALL, nbWeight: 0.2 });
    expect(fixed.nbWeight).toBe(0.2);
    expect(fixed.report!.nbWeightChoice).toBeUndefined();
    // a small set: nothing to choose on, SVM only
    const small = LanguageJudge.train(d.texts.slice(0, 300), d.labels.slice(0, 300).map((l, i) => (i % 2 ? 'A' : 'B')), { seed: 2, vectorizer: SMALL });
    expect(small.nbWeight).toBe(0);
    expect(small.report!.nbWeightChoice).toEqual([{ nbWeight: 0, nll: expect.any(Number) }]);
  });

  it('self-training learns the new speakers\' words from their confident texts', () => {
    // Training speakers mark their variety with words M0/M1; the new speakers (unlabelled) use
    // new words N0/N1 as well, half of their texts with a known marker, half with new words only.
    // The new-only texts are a coin toss for a judge trained on the labelled texts alone; after
    // self-training on the new speakers' texts the judge knows N0/N1 from the confident half.
    for (const seed of [3, 17]) {
      const r = prng(seed);
      const letters = 'abdefgiklmnoprstuz';
      const word = () => Array.from({ length: 4 + Math.floor(r() * 5) }, () => letters[Math.floor(r() * letters.length)]).join('');
      const base = Array.from({ length: 400 }, word);
      const M = [0, 1].map(() => Array.from({ length: 8 }, word));
      const N = [0, 1].map(() => Array.from({ length: 8 }, word));
      const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)];
      const text = (k: number, known: boolean, fresh: boolean) => {
        const ws = Array.from({ length: 6 + Math.floor(r() * 6) }, () => pick(base));
        if (known) ws.splice(Math.floor(r() * ws.length), 0, pick(M[k]), pick(M[k]));
        if (fresh) ws.splice(Math.floor(r() * ws.length), 0, pick(N[k]), pick(N[k]));
        return ws.join(' ');
      };
      const train = { texts: [] as string[], labels: [] as string[] };
      const fresh = { texts: [] as string[], labels: [] as string[], known: [] as boolean[] };
      for (let i = 0; i < 600; i++) {
        const k = i % 2;
        train.texts.push(text(k, true, false));
        train.labels.push(`V${k}`);
        const known = (i >> 1) % 2 === 0;
        fresh.texts.push(text(k, known, true));
        fresh.labels.push(`V${k}`);
        fresh.known.push(known);
      }
      const only = fresh.texts.map((_, i) => i).filter((i) => !fresh.known[i]);
      const acc = (j: LanguageJudge) => only.filter((i) => j.predict(fresh.texts[i]) === fresh.labels[i]).length / only.length;
      const plain = LanguageJudge.train(train.texts, train.labels, { seed: 1, vectorizer: SMALL });
      const self = LanguageJudge.train(train.texts, train.labels, { seed: 1, vectorizer: SMALL, unlabelled: fresh.texts });
      expect(acc(plain), `seed ${seed}`).toBeLessThan(0.7);
      expect(acc(self), `seed ${seed}`).toBeGreaterThan(0.9);
      const st = self.report!.selfTraining!;
      expect(st).toMatchObject({ unlabelled: fresh.texts.length, distinct: new Set(fresh.texts).size, added: Math.round(SELF_TRAIN_SHARE * new Set(fresh.texts).size), share: SELF_TRAIN_SHARE });
      expect(Object.values(st.perLabel).reduce((a, b) => a + b, 0)).toBe(st.added);
      expect(self.report!.n).toBe(train.texts.length + st.added);
      // labels assigned at random instead teach nothing (the gain is the confident texts' labels)
      const shuffled = LanguageJudge.train([...train.texts, ...fresh.texts.filter((_, i) => fresh.known[i])], [...train.labels, ...fresh.labels.filter((_, i) => fresh.known[i]).map(() => (r() < 0.5 ? 'V0' : 'V1'))], { seed: 1, vectorizer: SMALL });
      expect(acc(shuffled), `seed ${seed}`).toBeLessThan(0.7);
    }
  });

  it('self-training: only labelled texts are held out; deterministic; without unlabelled texts nothing changes', () => {
    const d = varieties(9, 3, [500, 500, 500]);
    const u = varieties(10, 3, [200, 200, 200]).texts;
    const TINY = { bits: 12 };
    const groups = d.texts.map((_, i) => `a${Math.floor(i / 5)}`);
    for (const o of [{}, { groups }, { heldOut: 'pseudo-authors' as const }]) {
      const plain = LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: TINY, ...o });
      const self = LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: TINY, ...o, unlabelled: u });
      // the same labelled held-out fold (the unlabelled texts are fitted on, never held out)
      expect(self.report!.calibration.n).toBe(plain.report!.calibration.n);
      expect(self.report!.perLabel).toEqual(plain.report!.perLabel);
      expect(self.report!.n).toBe(d.texts.length + Math.round(SELF_TRAIN_SHARE * u.length));
      if (Object.keys(o).length) continue;
      expect(JSON.stringify(LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: TINY, unlabelled: u }).toJSON())).toBe(JSON.stringify(self.toJSON()));
      expect(JSON.stringify(LanguageJudge.train(d.texts, d.labels, { seed: 2, vectorizer: TINY, unlabelled: [] }).toJSON())).toBe(JSON.stringify(plain.toJSON()));
    }
    // a small set (out-of-fold over whole groups): every labelled text scored once, no unlabelled one
    const sm = varieties(12, 2, [100, 100]);
    const sg = sm.texts.map((_, i) => `a${Math.floor(i / 10)}`);
    const small = LanguageJudge.train(sm.texts, sm.labels, { seed: 1, groups: sg, vectorizer: TINY, unlabelled: u.slice(0, 150) });
    expect(small.report!.calibration).toMatchObject({ n: sm.texts.length, folds: 5 });
    const share = LanguageJudge.train(sm.texts, sm.labels, { seed: 1, vectorizer: TINY, unlabelled: u.slice(0, 150), selfTrainShare: 0.2 });
    expect(share.report!.selfTraining).toMatchObject({ added: 30, share: 0.2 });
    for (const bad of [0, -0.1, 1.5, Number.NaN]) expect(() => LanguageJudge.train(sm.texts, sm.labels, { unlabelled: u.slice(0, 10), selfTrainShare: bad, vectorizer: TINY })).toThrow(/selfTrainShare/);
    expect(() => LanguageJudge.train(sm.texts, sm.labels, { groups: sg.slice(1), vectorizer: TINY })).toThrow(/groups/);
    // a text counts once, and a labelled text is not relabelled: repeats and copies of labelled
    // texts add nothing, so the judge is the one trained on the distinct new texts
    const newOnes = u.slice(0, 150);
    const base = LanguageJudge.train(sm.texts, sm.labels, { seed: 1, vectorizer: TINY, unlabelled: newOnes });
    const sloppy = [...newOnes.slice(0, 40), ...sm.texts.slice(0, 30), ...newOnes.slice(40), ...newOnes.slice(0, 60), sm.texts[77]];
    const again = LanguageJudge.train(sm.texts, sm.labels, { seed: 1, vectorizer: TINY, unlabelled: sloppy });
    expect(again.report!.selfTraining).toMatchObject({ unlabelled: sloppy.length, distinct: 150, added: 75 });
    expect(JSON.stringify({ ...again.toJSON(), report: undefined })).toBe(JSON.stringify({ ...base.toJSON(), report: undefined }));
  });

  it('saves and loads: same probabilities; a corrupt file is an input error naming it', () => {
    const d = varieties(9, 3, [50, 50, 50]);
    // a fixed NB weight, so the naive Bayes part is stored and read back too
    const j = LanguageJudge.train(d.texts, d.labels, { seed: 1, vectorizer: SMALL, nbWeight: 0.1 });
    expect(j.nbWeight).toBe(0.1);
    const dir = tmpDir('vern-judge-');
    const f = path.join(dir, 'j.json.gz');
    saveJudges(f, { judges: { xx: j }, report: {} });
    const back = loadJudges(f).judges.xx;
    for (const t of d.texts.slice(0, 20)) {
      const a = j.probs(t);
      const b = back.probs(t);
      for (const l of j.labels) expect(b[l]).toBeCloseTo(a[l], 5);
    }
    const raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(f)).toString('utf8'));
    const variants: Array<[string, Buffer]> = [
      ['truncated', fs.readFileSync(f).subarray(0, 100)],
      ['unknown format', zlib.gzipSync(JSON.stringify({ ...raw, format: 'vernacular-judge-9' }))],
      ['short weights', zlib.gzipSync(JSON.stringify({ ...raw, judges: { xx: { ...raw.judges.xx, weights: raw.judges.xx.weights.map((w: string) => w.slice(0, 8)) } } }))],
      ['short NB weights', zlib.gzipSync(JSON.stringify({ ...raw, judges: { xx: { ...raw.judges.xx, nbLogp: raw.judges.xx.nbLogp.map((w: string) => w.slice(0, 8)) } } }))],
      ['NB weight without NB', zlib.gzipSync(JSON.stringify({ ...raw, judges: { xx: { ...raw.judges.xx, nbLogp: undefined } } }))],
      ['one label', zlib.gzipSync(JSON.stringify({ ...raw, judges: { xx: { ...raw.judges.xx, labels: ['V0'] } } }))],
      ['not gzip', Buffer.from('{"format":"vernacular-judge-2"}')],
    ];
    for (const [what, bytes] of variants) {
      const bad = path.join(dir, `bad-${what.replace(/ /g, '-')}.json.gz`);
      fs.writeFileSync(bad, bytes);
      expect(() => loadJudges(bad), what).toThrow(bad);
      if (what !== 'truncated' && what !== 'short weights') continue; // the CLI path once per kind of damage
      const r = cli(['judge', 'score', '-j', bad, '-d', bad]);
      expect(r.status, `${what}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(bad);
    }
  });
});

/** Project-written sample texts (corpora/sample/texts), posts and comments only, with their persona. */
function sampleTexts(locale: string): Array<{ text: string; persona: string }> {
  return fs
    .readFileSync(path.join(ROOT, 'corpora', 'sample', 'texts', `${locale}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((x) => x.kind === 'post' || x.kind === 'comment')
    .map((x) => ({ text: x.text as string, persona: `${locale}:${x.persona}` }));
}

describe('judge train --input / judge score on external files', () => {
  it('any label set; the judge is chosen from the text, so a cross-language error counts', () => {
    const dir = tmpDir('vern-judge-ext-');
    const locales = ['de-AT', 'de-DE', 'en-IE', 'en-MT'];
    const train: object[] = [];
    const test: Array<{ text: string; locale: string }> = [];
    for (const l of locales)
      sampleTexts(l).forEach((x, i) => (i % 4 === 0 ? test.push({ text: x.text, locale: l }) : train.push({ text: x.text, label: l, who: x.persona })));
    fs.writeFileSync(path.join(dir, 'train.jsonl'), train.map((x) => JSON.stringify(x)).join('\n'));
    const t = cli(['--json', 'judge', 'train', '--input', path.join(dir, 'train.jsonl'), '--label-col', 'label', '--group-col', 'who', '-o', path.join(dir, 'j.json.gz')]);
    expect(t.status, t.stderr).toBe(0);
    const rep = JSON.parse(t.stdout).report;
    expect(Object.keys(rep).filter((k) => !k.startsWith('_')).sort()).toEqual(['de', 'en']);
    // --group-col: the held-out fold took whole personas (the grouping itself is tested above)
    expect(rep.de.heldOut).toMatch(/'who' groups/);
    expect(rep.de.n).toBeGreaterThan(0);

    // a mixed-language gold file, gold column `locale`; one German text carries an English gold label
    const planted = test.findIndex((x) => x.locale === 'de-AT' && x.text.length > 80);
    const rows = test.map((x, i) => (i === planted ? { ...x, locale: 'en-IE' } : x));
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    fs.writeFileSync(path.join(dir, 'gold.csv'), 'text,locale\n' + rows.map((r) => `${q(r.text)},${r.locale}`).join('\n'));
    const s = cli(['--json', 'judge', 'score', '-j', path.join(dir, 'j.json.gz'), '-d', path.join(dir, 'gold.csv')]);
    expect(s.status, s.stderr).toBe(0);
    const r = JSON.parse(s.stdout);
    expect(r.crossLanguage).toBeGreaterThanOrEqual(1);
    expect(r.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(rows.length);
    // the planted row is wrong: no German judge can answer en-IE
    const en = r.labels.indexOf('en-IE');
    const gotForEnIe = r.confusion[en].reduce((a: number, b: number) => a + b, 0);
    expect(gotForEnIe).toBe(rows.filter((x) => x.locale === 'en-IE').length);
    expect(r.macroF1).toBeGreaterThan(0.5);

    // --lang en: every row judged by the English judge — German gold labels can then never be right
    const e = cli(['--json', 'judge', 'score', '-j', path.join(dir, 'j.json.gz'), '-d', path.join(dir, 'gold.csv'), '--lang', 'en']);
    expect(e.status, e.stderr).toBe(0);
    const re = JSON.parse(e.stdout);
    expect(re.crossLanguage).toBe(rows.filter((x) => x.locale.startsWith('de-')).length);
    for (const l of ['de-AT', 'de-DE']) expect(re.perClass.find((x: { label: string }) => x.label === l).recall).toBe(0);

    // labels that are not locales (cantons), the language named with --lang
    const ch = train.filter((x) => (x as { label: string }).label.startsWith('de-')).map((x) => ({ ...(x as object), label: (x as { label: string }).label === 'de-AT' ? 'BE' : 'ZH' }));
    fs.writeFileSync(path.join(dir, 'ch.jsonl'), ch.map((x) => JSON.stringify(x)).join('\n'));
    const c = cli(['--json', 'judge', 'train', '--input', path.join(dir, 'ch.jsonl'), '--lang', 'gsw', '-o', path.join(dir, 'ch.json.gz')]);
    expect(c.status, c.stderr).toBe(0);
    expect(Object.keys(JSON.parse(c.stdout).report)).toContain('gsw');
    const chGold = test.filter((x) => x.locale.startsWith('de-')).map((x) => ({ text: x.text, label: x.locale === 'de-AT' ? 'BE' : 'ZH' }));
    fs.writeFileSync(path.join(dir, 'ch-gold.jsonl'), chGold.map((x) => JSON.stringify(x)).join('\n'));
    const cs = cli(['--json', 'judge', 'score', '-j', path.join(dir, 'ch.json.gz'), '-d', path.join(dir, 'ch-gold.jsonl'), '--lang', 'gsw']);
    expect(cs.status, cs.stderr).toBe(0);
    expect(JSON.parse(cs.stdout).labels).toEqual(['BE', 'ZH']);
    expect(JSON.parse(cs.stdout).crossLanguage).toBe(0);
  });

  it('--unlabelled: each text self-trains the judge of its detected language (or --lang); a bad row is exit 3 naming it', () => {
    const dir = tmpDir('vern-judge-unl-');
    const train: object[] = [];
    const unl: object[] = [];
    for (const l of ['de-AT', 'de-DE', 'en-IE', 'en-MT']) sampleTexts(l).forEach((x, i) => (i % 3 === 0 ? unl.push({ body: x.text }) : train.push({ text: x.text, locale: l })));
    // French texts: no judge for them, counted and left out
    const fr = sampleTexts('fr-BE').filter((x) => x.text.length > 60).slice(0, 12);
    for (const x of fr) unl.push({ body: x.text });
    fs.writeFileSync(path.join(dir, 'train.jsonl'), train.map((x) => JSON.stringify(x)).join('\n'));
    fs.writeFileSync(path.join(dir, 'unl.jsonl'), unl.map((x) => JSON.stringify(x)).join('\n'));
    const t = cli(['--json', 'judge', 'train', '--input', path.join(dir, 'train.jsonl'), '--unlabelled', path.join(dir, 'unl.jsonl'), '--unlabelled-text-col', 'body', '-o', path.join(dir, 'j.json.gz')]);
    expect(t.status, t.stderr).toBe(0);
    const rep = JSON.parse(t.stdout).report;
    const routed = rep.de.selfTraining.unlabelled + rep.en.selfTraining.unlabelled;
    const unrouted = Object.values(rep._input.unrouted as { [l: string]: number }).reduce((a, b) => a + b, 0);
    expect(routed + unrouted).toBe(unl.length);
    expect(rep._input.unrouted.fr).toBeGreaterThanOrEqual(fr.length - 2);
    for (const l of ['de', 'en']) expect(rep[l].selfTraining.added).toBe(Math.round(SELF_TRAIN_SHARE * rep[l].selfTraining.distinct));
    // the saved judge says so too
    expect((loadJudges(path.join(dir, 'j.json.gz')).judges.de as LanguageJudge).report!.selfTraining!.unlabelled).toBe(rep.de.selfTraining.unlabelled);
    // --lang: every unlabelled text goes to that one judge
    const ch = train.filter((x) => (x as { locale: string }).locale.startsWith('de-')).map((x) => ({ text: (x as { text: string }).text, label: (x as { locale: string }).locale === 'de-AT' ? 'BE' : 'ZH' }));
    fs.writeFileSync(path.join(dir, 'ch.jsonl'), ch.map((x) => JSON.stringify(x)).join('\n'));
    const c = cli(['--json', 'judge', 'train', '--input', path.join(dir, 'ch.jsonl'), '--lang', 'gsw', '--unlabelled', path.join(dir, 'unl.jsonl'), '--unlabelled-text-col', 'body', '-o', path.join(dir, 'ch.json.gz')]);
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).report.gsw.selfTraining.unlabelled).toBe(unl.length);
    // a row without the text column: exit 3, naming the file and the row
    fs.writeFileSync(path.join(dir, 'bad.jsonl'), '{"body":"ein Text"}\n{"text":"kein body"}\n');
    const b = cli(['judge', 'train', '--input', path.join(dir, 'train.jsonl'), '--unlabelled', path.join(dir, 'bad.jsonl'), '--unlabelled-text-col', 'body']);
    expect(b.status).toBe(3);
    expect(b.stderr).toContain(`${path.join(dir, 'bad.jsonl')}: row 2`);
    const m = cli(['judge', 'train', '--input', path.join(dir, 'train.jsonl'), '--unlabelled', path.join(dir, 'missing.jsonl')]);
    expect(m.status).toBe(3);
    expect(m.stderr).toContain('missing.jsonl');
  }, 120_000);

  it('bad input: no label column, one label, both or neither source', () => {
    const dir = tmpDir('vern-judge-bad-');
    fs.writeFileSync(path.join(dir, 'x.jsonl'), '{"text":"a b c","kind":"x"}\n');
    const a = cli(['judge', 'train', '--input', path.join(dir, 'x.jsonl')]);
    expect(a.status).toBe(3);
    expect(a.stderr).toMatch(/no 'label' or 'locale' column/);
    fs.writeFileSync(path.join(dir, 'y.jsonl'), '{"text":"a b c","label":"A"}\n{"text":"d e f","label":"A"}\n');
    const b = cli(['judge', 'train', '--input', path.join(dir, 'y.jsonl'), '--lang', 'xx']);
    expect(b.status).toBe(3);
    expect(b.stderr).toMatch(/one label/);
    expect(cli(['judge', 'train']).status).toBe(2);
    fs.writeFileSync(path.join(dir, 'z.jsonl'), '{"text":"a","label":"A"}\nnot json\n');
    const z = cli(['judge', 'train', '--input', path.join(dir, 'z.jsonl')]);
    expect(z.status).toBe(3);
    expect(z.stderr).toContain(`${path.join(dir, 'z.jsonl')}:2`);
  });
});

const GDI = path.resolve(ROOT, '..', 'shared', 'data', 'gdi');

describe('GDI slice (VarDial 2018 Swiss German, read in place)', () => {
  const have = fs.existsSync(path.join(GDI, 'train.tsv')) && fs.existsSync(path.join(GDI, 'dev.tsv'));
  if (!have) console.log(`GDI slice: skipped, no ${GDI}/train.tsv and dev.tsv`);
  it.skipIf(!have)('macro-F1 on a dev slice stays above its floor', () => {
    const read = (f: string, every: number) => {
      const all = readTsv(path.join(GDI, f));
      const kept = (_: unknown, i: number) => i % every === 0;
      return { texts: all.texts.filter(kept), labels: all.labels.filter(kept) };
    };
    const tr = read('train.tsv', 4);
    const dv = read('dev.tsv', 4);
    const j = LanguageJudge.train(tr.texts, tr.labels, { seed: 1, vectorizer: SMALL });
    const c = classification(dv.labels, dv.texts.map((t) => j.predict(t)));
    expect(c.labels).toEqual(['BE', 'BS', 'LU', 'ZH']);
    expect(c.macroF1).toBeGreaterThan(GDI_FLOOR);
    // self-trained on the dev slice's texts (labels never read): the new speakers' forms are learnt
    const st = LanguageJudge.train(tr.texts, tr.labels, { seed: 1, vectorizer: SMALL, unlabelled: dv.texts });
    const cs = classification(dv.labels, dv.texts.map((t) => st.predict(t)));
    expect(cs.macroF1).toBeGreaterThan(GDI_SELF_FLOOR);
    expect(cs.macroF1 - c.macroF1).toBeGreaterThan(0.03);
  }, 60_000);
});

/** the same slice self-trained on the dev slice's 1,165 texts: 0.6799 / 0.6759 / 0.6751 at seeds 1 / 2 / 3 */
const GDI_SELF_FLOOR = 0.665;

/**
 * A little under what the judge reaches on this slice (every 4th line of train → every 4th of dev,
 * 2^16 hashed features: 0.6322 at seeds 1, 2 and 3, NB weight 0.02 chosen on the held-out fold;
 * the SVM-only judge reached 0.6435 here, the NB part pays off on the full set, see the README).
 */
const GDI_FLOOR = 0.615;

describe('judge files of format 1 (the SGD judge) still load', () => {
  it('same predictions after a round trip; a damaged one is an input error', async () => {
    const { LegacySgdJudge } = await import('../../src/evaluate/judge-legacy.js');
    const d = varieties(3, 2, [40, 40]);
    const old = LegacySgdJudge.train(d.texts, d.labels, { epochs: 2 });
    const dir = tmpDir('vern-judge-v1-');
    const f = path.join(dir, 'v1.json.gz');
    fs.writeFileSync(f, zlib.gzipSync(JSON.stringify({ format: 'vernacular-judge-1', report: {}, judges: { xx: old.toJSON() } })));
    const back = loadJudges(f).judges.xx;
    for (const t of d.texts.slice(0, 10)) expect(back.predict(t)).toBe(old.predict(t));
    const bad = path.join(dir, 'v1-bad.json.gz');
    fs.writeFileSync(bad, zlib.gzipSync(JSON.stringify({ format: 'vernacular-judge-1', report: {}, judges: { xx: { ...old.toJSON(), w: old.toJSON().w.map((s: string) => s.slice(0, 12)) } } })));
    expect(() => loadJudges(bad)).toThrow(bad);
  });
});
