import { describe, expect, it } from 'vitest';
import { findPii, type PiiMode } from '../../src/shards/pii.js';
import { rng } from '../../src/evaluate/metrics.js';

/**
 * `findPii` runs a pattern only when the text holds a character the pattern cannot match without
 * ('@', '/' or 'www.', a digit). The differential oracle: the same text with a tail after a line
 * break that holds every one of those characters (so every pattern runs) must give the same hits
 * inside the text. No pattern continues across a line break and the tail's own hits lie after it,
 * so a pattern skipped on a text it could match shows up as a hit the text alone did not get.
 */
const TAIL = '\n\n« @ www. / 7 »';

// pieces that make PII, near-PII and plain words, mixed at random (with and without the trigger characters)
const PIECES = [
  'anna', 'müller', 'Grüß', 'ciao', 'www', 'www.', 'WWW.', 'http:', 'https://', 'example', '.com', '.de', '.at', '.eu',
  'shop.at', 'wien.gv.at', 'mail', '@', '＠', '/', '\\', '.', ',', '-', '+', '(', ')', ':', '#', '€', 'h',
  'AT', 'DE', 'IE', 'NL', '61', '89', '1904', '3002', '3457', '3201', '0043', '+43', '+353', '0', '7', '12', '4111', '1111',
  '664', '1234567', '000', '00 00', '0800', '2024', '03', '15', '1.1.1990', 'Str.', 'straße', 'rue', 'Hauptstraße', 'PLZ', '１２３', '٣',
];

function text(r: () => number): string {
  const n = 1 + Math.floor(r() * 14);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.45 ? ' ' : '');
  return s;
}

const key = (h: { type: string; start: number; end: number }) => `${h.type}@${h.start}-${h.end}`;

describe('PII prefilters skip a pattern only where it cannot match', () => {
  for (const [mode, country] of [['post', 'AT'], ['chat', 'IE'], ['post', undefined]] as Array<[PiiMode, string | undefined]>) {
    it(`${mode}, country ${country ?? 'none'}: the hits of a text equal its hits with every trigger present`, () => {
      const r = rng(mode.length * 7 + (country?.charCodeAt(0) ?? 0));
      let withHits = 0;
      let withoutTrigger = 0;
      for (let i = 0; i < 4000; i++) {
        const t = text(r);
        const alone = findPii(t, country, mode).map(key).sort();
        const full = findPii(t + TAIL, country, mode).filter((h) => h.end <= t.length).map(key).sort();
        expect(alone, JSON.stringify(t)).toEqual(full);
        if (alone.length) withHits++;
        if (!t.includes('@') || !/\d/.test(t) || !(t.includes('/') || /www\./i.test(t))) withoutTrigger++;
      }
      // not vacuous: many texts hold PII, and many lack a trigger character (so a prefilter skips a pattern)
      expect(withHits).toBeGreaterThan(400);
      expect(withoutTrigger).toBeGreaterThan(1000);
    });
  }
});
