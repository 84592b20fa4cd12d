/**
 * Code-switching spans (src/segment/codeswitch.ts) against the plain procedure they shortcut:
 * every sentence with enough letters is detected, short ones take a judged neighbour's language,
 * and spans come out only when two languages each hold enough of the letters. The fast version
 * detects nothing when fewer than two sentences can be judged and hands each sentence's cleaned
 * text to the detector; on mixed posts from the sample's texts (one to five sentences, short and
 * long, several languages and countries) both must give the same spans.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cascade } from '../../src/segment/cascade.js';
import { languageSpans, mayHoldTwoSentences, type LangSpan } from '../../src/segment/codeswitch.js';
import { letterCount, lidText } from '../../src/segment/clean.js';
import { rng } from '../../src/evaluate/metrics.js';

const segmenter = new Intl.Segmenter('und', { granularity: 'sentence' });

/** The procedure as first written: every sentence judged on its own raw text. */
function oracle(text: string, country: string | undefined, cascade: Cascade, opts: { minChars: number; minSentenceLetters: number; minShare: number }): LangSpan[] | undefined {
  if (text.length < opts.minChars) return undefined;
  const sentences: Array<{ start: number; end: number; lang: string; letters: number }> = [];
  for (const s of segmenter.segment(text)) {
    const letters = letterCount(lidText(s.segment));
    let lang = 'und';
    if (letters >= opts.minSentenceLetters) {
      const l = cascade.detect(s.segment, country);
      if (l.score >= 0.7) lang = l.code;
    }
    sentences.push({ start: s.index, end: s.index + s.segment.length, lang, letters });
  }
  if (sentences.length < 2) return undefined;
  let last = sentences.find((s) => s.lang !== 'und')?.lang;
  if (!last) return undefined;
  for (const s of sentences) {
    if (s.lang === 'und') s.lang = last;
    else last = s.lang;
  }
  const share = new Map<string, number>();
  const total = sentences.reduce((n, s) => n + s.letters, 0);
  for (const s of sentences) share.set(s.lang, (share.get(s.lang) ?? 0) + s.letters);
  if ([...share.entries()].filter(([, n]) => n / total >= opts.minShare).length < 2) return undefined;
  const spans: LangSpan[] = [];
  for (const s of sentences) {
    const prev = spans[spans.length - 1];
    if (prev && prev.lang === s.lang) prev.end = s.end;
    else spans.push({ start: s.start, end: s.end, lang: s.lang });
  }
  for (const sp of spans) while (sp.end > sp.start && /\s/.test(text[sp.end - 1])) sp.end--;
  return spans;
}

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'corpora', 'sample', 'texts');
const pools = fs
  .readdirSync(dir)
  .filter((f) => /^[a-z]{2}-[A-Z]{2}\.jsonl$/.test(f))
  .sort()
  .map((f) => ({
    country: f.slice(3, 5),
    sentences: fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).flatMap((l) => (JSON.parse(l).text as string).split(/(?<=[.!?])\s+/)),
  }));

describe('code-switching spans', () => {
  it('match the every-sentence procedure on mixed posts of 1–5 sentences (short sentences, several languages, with and without a country)', () => {
    const cascade = new Cascade();
    const rand = rng(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const opts = { minChars: 40, minSentenceLetters: 15, minShare: 0.2 };
    let withSpans = 0;
    for (let i = 0; i < 150; i++) {
      const home = pick(pools);
      const n = 1 + Math.floor(rand() * 5);
      const parts = Array.from({ length: n }, () => {
        const s = pick(rand() < 0.6 ? home.sentences : pick(pools).sentences);
        // now and then a sentence cut short, so it cannot be judged
        return rand() < 0.25 ? s.slice(0, 5 + Math.floor(rand() * 12)) + '.' : s;
      });
      const text = parts.join(rand() < 0.8 ? ' ' : '\n');
      const country = rand() < 0.8 ? home.country : undefined;
      const want = oracle(text, country, cascade, opts);
      expect(languageSpans(text, country, cascade, opts), text).toEqual(want);
      if (want) withSpans++;
    }
    // the posts exercise both outcomes
    expect(withSpans).toBeGreaterThan(5);
  });
});

describe('the two-sentence bound', () => {
  /** How many of the segmenter's sentences hold at least `min` letters as the detector counts them. */
  const judged = (text: string, min: number) => [...segmenter.segment(text)].filter((x) => letterCount(lidText(x.segment)) >= min).length;

  it('never says no where the segmenter finds two judgeable sentences: random texts of letters, terminators of many scripts, separators, URLs, handles', () => {
    const rand = rng(29);
    const pieces = ['Hallo', 'das ist gut', 'ok', 'İstanbul', 'ΑΘΗΝΑ', 'ﬁne', 'é', 'e\u0301', '😂', '𝐀𝐁', '中文字', 'नमस्ते', 'مرحبا', 'Барев', ' ', '  ', '\n', '\r\n', '\u2029', '\u0085', '.', '. ', '!', '?', '…', '‼', '。', '।', '؟', '։', '\u037e', '።', '\uff0e', '\u2024', '"', '»', ')', ' https://x.eu/a.b ', ' www.test.com ', ' @user.name ', ' #tag ', '3.14', 'e.g.', 'Mr.', '123'];
    let yes = 0;
    for (let t = 0; t < 6000; t++) {
      let text = '';
      const n = 1 + Math.floor(rand() * 16);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(rand() * pieces.length)];
      const min = 1 + Math.floor(rand() * 20);
      const two = judged(text, min) >= 2;
      if (two) yes++;
      if (!mayHoldTwoSentences(text, min)) expect(two, `${JSON.stringify(text)} min=${min}`).toBe(false);
    }
    expect(yes).toBeGreaterThan(500);
  });

  it('never says no on posts of real sentences joined every way, and says no on most single sentences', () => {
    const rand = rng(31);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const joins = [' ', '\n', '', ' - ', ', ', '\u2029', '  '];
    let skipped = 0;
    let singles = 0;
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(rand() * 3);
      const text = Array.from({ length: n }, () => pick(pick(pools).sentences)).join(pick(joins));
      const two = judged(text, 15) >= 2;
      const may = mayHoldTwoSentences(text, 15);
      if (!may) expect(two, JSON.stringify(text)).toBe(false);
      if (n === 1) singles++;
      if (!may) skipped++;
    }
    // the bound is worth having: it spares the segmenter a good share of the posts
    expect(skipped).toBeGreaterThan(singles / 3);
  });
});

