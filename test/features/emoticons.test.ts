/**
 * Emoticon markers (src/features/markers.ts) skip the emoticon pattern on texts that hold none of
 * the characters an emoticon needs. Oracle: the same pattern run on every text; random texts made
 * of the table's emoticons, their pieces, letters, digits and punctuation must give the same hits,
 * with the project's table and with tables of letter-only and astral emoticons.
 */
import { describe, expect, it } from 'vitest';
import { Markers, loadMarkerData } from '../../src/features/markers.js';
import { tokenize } from '../../src/features/tokenize.js';
import { rng } from '../../src/evaluate/metrics.js';

function oracle(text: string, emoticons: string[]): Array<[number, number]> {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...emoticons].sort((a, b) => b.length - a.length).map(esc).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  return [...text.matchAll(re)].map((m) => [m.index!, m.index! + m[0].length]);
}

describe('emoticon markers', () => {
  const base = loadMarkerData();
  const tables = [base.emoticons.map(String), ['xD', 'XD', 'lol', '😀😀', ':-)'], ['ツ', '<3']];
  it('match the pattern run on every text', () => {
    const rand = rng(3);
    for (const emoticons of tables) {
      const m = new Markers({ ...base, emoticons });
      const pieces = [...emoticons, ...emoticons.flatMap((e) => [...e]), 'a', 'b', 'D', 'x', ' ', ' ', '1', '.', 'é', '😀', 'word', '\n'];
      let found = 0;
      for (let i = 0; i < 600; i++) {
        let text = '';
        const n = Math.floor(rand() * 12);
        for (let k = 0; k < n; k++) text += pieces[Math.floor(rand() * pieces.length)];
        const got = m
          .extract({ text, tokens: tokenize(text), lang: 'eng' })
          .filter((h) => h.feature === 'marker:emoticon')
          .map((h) => h.span);
        const want = oracle(text, emoticons);
        expect(got, JSON.stringify(text)).toEqual(want);
        found += want.length;
      }
      expect(found).toBeGreaterThan(40);
    }
  });
});
