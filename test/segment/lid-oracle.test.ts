import { describe, expect, it } from 'vitest';
import { lidText } from '../../src/segment/clean.js';
import { Ngram4Model } from '../../src/segment/backends/ngram4.js';
import { DEFAULT_LANGUAGES } from '../../src/segment/cascade.js';
import { prng as rng } from '../helpers.js';

/**
 * Oracles for the language-ID hot paths: each fast implementation against the plain one it
 * replaced, on random text built to hit their edge cases.
 */

const PIECES = [
  'a', 'é', 'ß', '\ud835', '\udd18', '\ud800\ud800', 'ő', 'ž', 'ą', 'ø', 'ı', 'İ', 'ſ', 'K', 'σ', 'ж', 'ї', '中', '𝔘', '😂', '\u0301', ' ', '  ', '\t', '\n', '.', ',', '1', '42',
  'Www.', 'www.', 'WWW.x', 'wWw.y', 'http://', 'HTTPS://', 'httpſ://', 'ftp://', '://', '@', '#', '@maria_k', '#tbt', 'x@y', 'foo#bar', '_', '-',
  'schön', 'Straße', 'αβγ', 'Ελλάδα', 'dzień', 'háború', 'sūnus', 'tükör', 'Mädchen', 'x'.repeat(30), 'ž'.repeat(40), '𝔘𝔫𝔦'.repeat(10),
];
function randomText(r: () => number, maxPieces: number): string {
  let s = '';
  const n = 1 + Math.floor(r() * maxPieces);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

/** The cleaner as it was before the URL / handle passes were skipped where they cannot match. */
function lidTextReference(text: string): string {
  return text
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/(^|\s)[@#][\p{L}\p{N}_.]+/gu, ' ')
    .replace(/[^\p{L}\p{M}]+/gu, ' ')
    .trim()
    .toLowerCase();
}

describe('lidText', () => {
  it('equals the three-pass reference on random text with URLs, handles, case folds and astral letters', () => {
    const r = rng(17);
    for (let i = 0; i < 20_000; i++) {
      const t = randomText(r, 12);
      expect(lidText(t), JSON.stringify(t)).toBe(lidTextReference(t));
    }
  });
});

describe('Ngram4Model.score', () => {
  const model = new Ngram4Model(DEFAULT_LANGUAGES);
  const t = (model as unknown as { t: { grams: string[]; start: Uint32Array; li: Uint8Array; v: Uint8Array } }).t;
  const index = new Map(t.grams.map((g, i) => [g, i]));
  const dict = (model as unknown as { spellCode: Uint8Array }).spellCode;

  /** eld's own procedure with strings: spell the bytes, cut the grams, look each up by string, sum distinct entries. */
  function reference(clean: string, into: Float64Array): number {
    into.fill(0);
    const seen = new Set<number>();
    let budget = 400;
    let grams = 0;
    for (const raw of clean.split(' ')) {
      if (!raw) continue;
      let word = '';
      for (const b of Buffer.from(raw, 'utf8')) word += String.fromCharCode(b < 0x80 ? b : dict[b]);
      const len = Math.min(word.length, 70);
      const gs: string[] = [];
      let j = 0;
      for (; j + 4 < len; j += 3) gs.push((j === 0 ? ' ' : '') + word.substring(j, j + 4));
      gs.push((j === 0 ? ' ' : '') + word.substring(Math.max(0, len - 4), len) + ' ');
      grams += gs.length;
      for (const g of gs) {
        const e = index.get(g);
        if (e === undefined || seen.has(e)) continue;
        seen.add(e);
        for (let k = t.start[e]; k < t.start[e + 1]; k++) into[t.li[k]] += t.v[k];
      }
      budget -= len + 1;
      if (budget < 0) break;
    }
    return grams;
  }

  it('spells eld\'s non-ASCII bytes through its dictionary (some bytes share a character with ASCII)', () => {
    expect(dict.length).toBe(256);
    for (let b = 0; b < 0x80; b++) expect(dict[b]).toBe(b);
  });

  it('equals the string-based reference on random cleaned text (long words, non-ASCII, astral, over 400 bytes)', () => {
    const r = rng(5);
    const a = new Float64Array(model.langs.length);
    const b = new Float64Array(model.langs.length);
    let nonzero = 0;
    for (let i = 0; i < 3_000; i++) {
      const clean = lidText(randomText(r, 60));
      expect(model.score(clean, a), clean).toBe(reference(clean, b));
      expect(Array.from(a), clean).toEqual(Array.from(b));
      if (a.some((x) => x > 0)) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(2_000); // the grams are found, not only missed alike
  });
});
