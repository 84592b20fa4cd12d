/**
 * The word-list evidence of language ID (src/segment/backends/words.ts): a Zipf unigram model over
 * each language's most frequent words, kept as differences from the unlisted-word floor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheVariants, withCacheDir } from '../helpers.js';
import { FLOOR_GAP, RANK_K, WordModel, wordLists } from '../../src/segment/backends/words.js';

const LANGS = ['deu', 'eng', 'spa', 'por', 'glg', 'ltz', 'mlt', 'gle', 'hrv', 'slv', 'xxx'];
const model = new WordModel(LANGS);
const lists = new Map(wordLists(LANGS).map((l) => [l.lang, l.words]));
const score = (text: string) => {
  const out = new Float64Array(model.langs.length);
  model.score(text, out);
  return Object.fromEntries(model.langs.map((l, i) => [l, out[i]]));
};

describe('word lists', () => {
  it('every modelled language but an unknown one has a list; full lists hold 10,000 words, UDHR lists a few hundred', () => {
    expect(model.langs).toEqual(LANGS.filter((l) => l !== 'xxx'));
    // German's list spells some words twice (`Ich`, `ich`): one entry each after lower-casing
    expect(lists.get('deu')!.size).toBeGreaterThan(8000);
    for (const l of ['mlt', 'gle']) expect(lists.get(l)!.size).toBeGreaterThan(200);
    // Galician and Luxembourgish carry their relative's list at its ranks, plus words of their own
    for (const [l, rel] of [['glg', 'por'], ['ltz', 'deu']]) {
      for (const [w, r] of lists.get(rel)!) expect(lists.get(l)!.get(w)).toBe(r);
      expect(lists.get(l)!.size).toBeGreaterThan(lists.get(rel)!.size);
    }
    // Irish has the stopwords-iso function words at rank 30 or better
    for (const w of ['agus', 'ach', 'ar']) expect(lists.get('gle')!.get(w)).toBeLessThanOrEqual(30);
  });

  it("a word's evidence is −log(rank + K) above the floor, zero where unlisted, and falls with its rank", () => {
    const floor = -Math.log(10000 + RANK_K) - FLOOR_GAP;
    for (const [l, words] of lists) {
      const ranked = [...words].filter(([w]) => /^\p{L}+$/u.test(w)).slice(0, 40);
      for (const [w, r] of ranked) {
        const s = score(w);
        // the largest listing wins where lists share a word; this language gets its own rank's value
        expect(s[l]).toBeCloseTo(-Math.log(r + RANK_K) - floor, 4);
        for (const [m, ws] of lists) if (!ws.has(w)) expect(s[m]).toBe(0);
      }
    }
    const s = score('qqqzzzx');
    for (const l of model.langs) expect(s[l]).toBe(0);
  });

  it('evidence adds up over words (order and extra spaces do not matter)', () => {
    const words = ['der', 'the', 'que', 'não', 'agus', 'qqq', 'kako', 'kaj', 'il'];
    for (let i = 0; i < 30; i++) {
      const pick = words.filter((_, k) => (i * 7 + k * 3) % 4 !== 0);
      const whole = score(pick.join(' '));
      const reversed = score(` ${[...pick].reverse().join('  ')} `);
      for (const l of model.langs) {
        const sum = pick.reduce((a, w) => a + score(w)[l], 0);
        expect(whole[l]).toBeCloseTo(sum, 6);
        expect(reversed[l]).toBeCloseTo(sum, 6);
      }
    }
  });

  it('each language wins on its own common words', () => {
    const own: Array<[string, string]> = [['deu', 'und ich nicht'], ['eng', 'the and you'], ['spa', 'pero también'], ['por', 'não você'], ['slv', 'lahko tudi kaj'], ['hrv', 'što će'], ['gle', 'agus ach']];
    for (const [l, t] of own) {
      const s = score(t);
      const best = Object.entries(s).sort((a, b) => b[1] - a[1])[0][0];
      expect(best, t).toBe(l);
    }
  });

  it('the index read back from its cache file (or rebuilt over a damaged one) scores every text exactly as the one built', () => {
    withCacheDir((dir) => {
      const langs = ['eng', 'mlt'];
      // a damaged cache (cut short, or its header broken) is not used: the index is built again
      const { built, cached, afterCut, afterHead } = cacheVariants(dir, 'words-', () => new WordModel(langs));
      expect(afterHead.langs).toEqual(built.langs);
      const words = wordLists(langs).flatMap((l) => [...l.words.keys()].filter((_, i) => i % 7 === 0));
      const texts = [...words, 'der the agus il-', 'qqq zzz', ''];
      for (let i = 0; i + 5 < words.length; i += 5) texts.push(words.slice(i, i + 5).join(' '));
      const run = (m: WordModel, t: string) => {
        const out = new Float64Array(m.langs.length);
        const n = m.score(t, out);
        return [n, ...out];
      };
      for (const t of texts) {
        const want = run(built, t);
        expect(run(cached, t)).toEqual(want);
        expect(run(afterCut, t)).toEqual(want);
        expect(run(afterHead, t)).toEqual(want);
      }
    });
  });
});
