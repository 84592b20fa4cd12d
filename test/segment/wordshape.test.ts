/**
 * Word shape (src/segment/backends/wordshape.ts): a character trigram model per language over the
 * distinct words of its list. Checked against an independent, string-keyed implementation of
 * interpolated absolute discounting, on list words, mutated words, letters no list has, long words
 * and texts past the length the model reads; and read back from its cache exactly as built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheVariants, withCacheDir } from '../helpers.js';
import { SHAPE_CHARS, SHAPE_MAX_LETTERS, ShapeModel } from '../../src/segment/backends/wordshape.js';
import { wordLists } from '../../src/segment/backends/words.js';

const LANGS = ['nld', 'deu', 'eng', 'mlt', 'bul', 'xxx'];
const D = 0.75;

/** The reference: counts keyed by strings, the recursion written as the formula reads. */
function reference(languages: string[]) {
  const lists = wordLists(languages);
  const alphabet = new Set<string>();
  for (const { words } of lists) for (const w of words.keys()) for (const ch of w) if (ch !== ' ') alphabet.add(ch);
  // the letters and the end mark
  const V = alphabet.size + 1;
  const models = new Map<string, Map<string, Map<string, number>>>();
  for (const { lang, words } of lists) {
    const cnt = new Map<string, Map<string, number>>();
    for (const w of words.keys()) {
      if (w.includes(' ') || w.length > 60) continue;
      const s = ['^', '^', ...w, '$'];
      for (let i = 2; i < s.length; i++)
        for (let n = 0; n <= 2; n++) {
          const h = s.slice(i - n, i).join('|');
          const m = cnt.get(h) ?? new Map<string, number>();
          cnt.set(h, m);
          m.set(s[i], (m.get(s[i]) ?? 0) + 1);
        }
    }
    models.set(lang, cnt);
  }
  const P = (cnt: Map<string, Map<string, number>>, h: string[], c: string): number => {
    const lower = h.length ? P(cnt, h.slice(1), c) : 1 / V;
    const m = cnt.get(h.join('|'));
    if (!m) return lower;
    let t = 0;
    for (const v of m.values()) t += v;
    return Math.max((m.get(c) ?? 0) - D, 0) / t + ((D * m.size) / t) * lower;
  };
  return (lang: string, clean: string): number => {
    const cnt = models.get(lang)!;
    let text = clean;
    if (text.length > SHAPE_CHARS) {
      const cut = text.lastIndexOf(' ', SHAPE_CHARS);
      text = text.slice(0, cut > 0 ? cut : SHAPE_CHARS);
    }
    let s = 0;
    for (const w of text.split(' ')) {
      if (!w) continue;
      const x = ['^', '^', ...w, '$'];
      for (let i = 2; i < x.length; i++) s += Math.log(P(cnt, x.slice(i - 2, i), x[i]));
    }
    return s;
  };
}

function texts(languages: string[], seed: number): string[] {
  let r = seed;
  const rand = (n: number) => ((r = (Math.imul(r, 1103515245) + 12345) >>> 0) % n);
  const words = wordLists(languages).flatMap((l) => [...l.words.keys()].filter((w) => !w.includes(' ')));
  const letters = [...new Set(words.join(''))];
  const out: string[] = ['', 'a', 'qqqzzzx', 'straße über', 'жизнь and life', '字 漢', 'x'.repeat(80), 'ab'.repeat(40) + ' ' + 'cd'.repeat(30)];
  for (let i = 0; i < 150; i++) {
    const n = 1 + rand(i % 10 === 0 ? 30 : 4);
    const ws = Array.from({ length: n }, () => {
      let w = words[rand(words.length)];
      // mutations: a letter of some list put in, a letter no list has, a word made long
      if (rand(3) === 0) {
        const k = rand(w.length);
        w = w.slice(0, k) + letters[rand(letters.length)] + w.slice(k + 1);
      }
      if (rand(10) === 0) w += 'ʬ';
      if (rand(20) === 0) w = w.repeat(12);
      return w;
    });
    out.push(ws.join(' '));
  }
  return out;
}

const scoreAll = (m: ShapeModel, t: string) => {
  const all = Int32Array.from(m.langs, (_, i) => i);
  const out = new Float64Array(m.langs.length);
  m.logLikOf(t, all, all, all.length, out);
  return out;
};

describe('word shape', () => {
  const model = new ShapeModel(LANGS);

  it('has a model for every language with a word list, in the order asked', () => {
    expect(model.langs).toEqual(LANGS.filter((l) => l !== 'xxx'));
  });

  it('equals the string-keyed reference on list words, mutated words, letters no list has and long texts', () => {
    const ref = reference(LANGS);
    for (const seed of [1, 2]) {
      for (const t of texts(LANGS, seed)) {
        const got = scoreAll(model, t);
        model.langs.forEach((l, i) => expect(got[i], `${l}: ${t.slice(0, 40)}`).toBeCloseTo(ref(l, t), 3));
      }
    }
  });

  it("scores each language's words better than the other alphabet's, and only the languages asked (NaN for one without a model)", () => {
    const i = (l: string) => model.langs.indexOf(l);
    const s = scoreAll(model, 'благодаря');
    expect(s[i('bul')]).toBeGreaterThan(s[i('eng')] + 10);
    // the selection: positions 0..m of sel name indexes into li; li -1 is a language without a model
    const li = Int32Array.from([i('nld'), -1, i('deu')]);
    const sel = Int32Array.from([2, 1, 0]);
    const out = new Float64Array(3);
    model.logLikOf('afmetingen', li, sel, 3, out);
    const whole = scoreAll(model, 'afmetingen');
    expect(out[0]).toBe(whole[i('deu')]);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(whole[i('nld')]);
    expect(whole[i('nld')]).toBeGreaterThan(whole[i('deu')]);
  });

  it("as the cascade's evidence: the log-likelihood on short texts, a language without a model at the others' mean, nothing on longer texts", () => {
    const i = (l: string) => model.langs.indexOf(l);
    const li = Int32Array.from([i('nld'), -1, i('deu'), i('eng')]);
    const sel = Int32Array.from([0, 1, 2, 3]);
    const letters = (t: string) => t.replace(/ /g, '').length;
    for (const t of ['afmetingen', 'kleine afmetingen', 'the quick brown fox jumps', 'a'.repeat(SHAPE_MAX_LETTERS), 'a'.repeat(SHAPE_MAX_LETTERS + 1), 'de kleine afmetingen van het gebouw']) {
      const raw = new Float64Array(4);
      model.logLikOf(t, li, sel, 4, raw);
      const got = new Float64Array(4);
      model.score(t, letters(t), li, sel, 4, got);
      if (letters(t) > SHAPE_MAX_LETTERS) expect([...got], t).toEqual([0, 0, 0, 0]);
      else {
        expect([got[0], got[2], got[3]], t).toEqual([raw[0], raw[2], raw[3]]);
        expect(got[1], t).toBeCloseTo((raw[0] + raw[2] + raw[3]) / 3, 9);
      }
    }
  });

  it('is read back from its cache file (or rebuilt over a damaged one) scoring every text exactly as built', () => {
    withCacheDir((dir) => {
      const langs = ['eng', 'mlt', 'deu'];
      const { built, cached, afterCut, afterHead, file, bytes } = cacheVariants(dir, 'shape-', () => new ShapeModel(langs));
      // a header that parses but does not fit its tables (sizes swapped between two languages)
      const nl = bytes.indexOf(10);
      const head = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { sizes: number[] };
      expect(new Set(head.sizes).size).toBeGreaterThan(1);
      const swapped = JSON.stringify({ ...JSON.parse(bytes.subarray(0, nl).toString('utf8')), sizes: [...head.sizes].reverse() });
      const pad = nl - Buffer.byteLength(swapped);
      expect(pad).toBeGreaterThanOrEqual(0);
      fs.writeFileSync(path.join(dir, file), Buffer.concat([Buffer.from(swapped + ' '.repeat(pad)), bytes.subarray(nl)]));
      const afterSizes = new ShapeModel(langs);
      for (const t of texts(langs, 3)) {
        const want = [...scoreAll(built, t)];
        expect([...scoreAll(cached, t)]).toEqual(want);
        expect([...scoreAll(afterCut, t)]).toEqual(want);
        expect([...scoreAll(afterHead, t)]).toEqual(want);
        expect([...scoreAll(afterSizes, t)]).toEqual(want);
      }
    });
  });
});
