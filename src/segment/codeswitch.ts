import type { Cascade } from './cascade.js';
import { CharClass } from '../char-runs.js';
import { LETTERS, letterCount, lidText } from './clean.js';

export interface LangSpan {
  start: number;
  end: number;
  lang: string;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'sentence' });

/** A sentence can end only after one of these (UAX #29: STerm, ATerm, Sep, CR, LF). */
const BREAKS = new CharClass(/^[\p{Sentence_Terminal}.\u2024\ufe52\uff0e\r\n\u0085\u2028\u2029]+$/u);

/**
 * Whether `text` could hold two sentences of at least `min` letters each, by a bound the sentence
 * segmenter cannot exceed: a sentence boundary falls only after a terminator or a line separator
 * (and the spaces and closing marks after it, which hold no letters), so two such sentences need a
 * terminator with at least `min` letters on each side. Letters are over-counted (every surrogate
 * unit a letter and a possible terminator, U+0130 twice as lower-casing doubles it), never under:
 * false means the segmenter's sentences cannot give two judged ones. Costs one pass over a table,
 * where the segmenter costs a walk of ICU's break rules.
 */
export function mayHoldTwoSentences(text: string, min: number): boolean {
  const L = text.length;
  let total = 0;
  for (let i = 0; i < L; i++) total += letterUnits(text.charCodeAt(i));
  if (total < 2 * min) return false;
  let before = 0;
  for (let i = 0; i < L; i++) {
    const c = text.charCodeAt(i);
    before += letterUnits(c);
    if (before >= min && total - before >= min && mayEndAfter(c)) return true;
  }
  return false;
}

function letterUnits(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return 1;
  if (c === 0x130) return 2;
  return LETTERS.has(c) ? 1 : 0;
}
function mayEndAfter(c: number): boolean {
  return (c >= 0xd800 && c <= 0xdfff) || BREAKS.has(c);
}

/**
 * Sentence-level language spans of a post, for code-switching. Only sentences with enough
 * letters are judged; shorter ones join their neighbour's language. Returns the spans merged by
 * language run, or `undefined` when the post is in one language (or too short to tell).
 */
export function languageSpans(text: string, country: string | undefined, cascade: Cascade, opts: { minChars: number; minSentenceLetters: number; minShare: number }): LangSpan[] | undefined {
  if (text.length < opts.minChars) return undefined;
  // fewer than two sentences that can be judged cannot make two languages: no need to segment
  if (!mayHoldTwoSentences(text, opts.minSentenceLetters)) return undefined;
  const sentences: Array<{ start: number; end: number; lang: string; letters: number; segment: string; clean: string }> = [];
  let judged = 0;
  for (const s of segmenter.segment(text)) {
    const clean = lidText(s.segment);
    const letters = letterCount(clean);
    if (letters >= opts.minSentenceLetters) judged++;
    sentences.push({ start: s.index, end: s.index + s.segment.length, lang: 'und', letters, segment: s.segment, clean });
  }
  // fewer than two judged sentences cannot make two languages (the others take a judged one's): no spans, nothing to detect
  if (sentences.length < 2 || judged < 2) return undefined;
  for (const s of sentences) {
    if (s.letters >= opts.minSentenceLetters) {
      const l = cascade.detect(s.segment, country, undefined, s.clean);
      if (l.score >= 0.7) s.lang = l.code;
    }
  }
  // unjudged sentences take the language of the previous judged one (or the next)
  let last = sentences.find((s) => s.lang !== 'und')?.lang;
  if (!last) return undefined;
  for (const s of sentences) {
    if (s.lang === 'und') s.lang = last;
    else last = s.lang;
  }
  const share = new Map<string, number>();
  const total = sentences.reduce((n, s) => n + s.letters, 0);
  for (const s of sentences) share.set(s.lang, (share.get(s.lang) ?? 0) + s.letters);
  const langs = [...share.entries()].filter(([, n]) => n / total >= opts.minShare);
  if (langs.length < 2) return undefined;
  const spans: LangSpan[] = [];
  for (const s of sentences) {
    const prev = spans[spans.length - 1];
    if (prev && prev.lang === s.lang) prev.end = s.end;
    else spans.push({ start: s.start, end: s.end, lang: s.lang });
  }
  // trim trailing whitespace from span ends
  for (const sp of spans) while (sp.end > sp.start && /\s/.test(text[sp.end - 1])) sp.end--;
  return spans;
}

/** The language holding most letters across the spans. */
export function majorityLanguage(text: string, spans: LangSpan[]): string {
  const n = new Map<string, number>();
  for (const s of spans) n.set(s.lang, (n.get(s.lang) ?? 0) + letterCount(lidText(text.slice(s.start, s.end))));
  return [...n.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}
