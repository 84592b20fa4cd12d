import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeEach } from '../../src/features/tokenize.js';
import { prng } from '../helpers.js';
import { Markers, capitalLetters, capitalLettersPlain } from '../../src/features/markers.js';
import { EnglishGrammar } from '../../src/features/grammar.js';
import { ExtractorRegistry } from '../../src/features/registry.js';
import { loadLexicons } from '../../src/features/lexicon.js';
import { LexiconMatcher } from '../../src/features/matcher.js';

const markers = new Markers();
const ids = (text: string, lang: string) => markers.extract({ text, tokens: tokenize(text), lang }).map((h) => h.feature);

describe('tokenize', () => {
  it('is Unicode-aware and keeps word-internal apostrophes and hyphens', () => {
    expect(tokenize("I amn't goin' to Dún Laoghaire, week-end j’sais ŻEBBUĠ Ħamrun Ελλάδα 😂👍🏽").map((t) => t.text)).toEqual([
      'I', "amn't", 'goin', 'to', 'Dún', 'Laoghaire', 'week-end', 'j’sais', 'ŻEBBUĠ', 'Ħamrun', 'Ελλάδα', '😂', '👍🏽',
    ]);
    expect(tokenize('j’sais')[0].lower).toBe("j'sais");
  });

  it('lower-casing the text once gives the tokens lower-casing each gives: random texts with Σ (final and not), İ, ’, decomposed accents, ligatures, emoji', () => {
    const r = prng(41);
    const pieces = ['Σ', 'ΟΔΟΣ', 'ος', 'Α', 'İ', 'I', 'ı', 'i', '’', "'", '-', 'e\u0301', 'É', 'ß', 'ẞ', 'ǅ', 'ﬁ', 'Ⅻ', '😂', '👍🏽', '\u200d', 'A', 'b', '1', ' ', '.', ',', 'Ж', 'Ω', '\u0345', 'Ꭰ', 'ꭰ', '𐐀', '\ud801'];
    let fast = 0;
    for (let t = 0; t < 20000; t++) {
      let text = '';
      const n = Math.floor(r() * 12);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(r() * pieces.length)];
      expect(tokenize(text), JSON.stringify(text)).toEqual(tokenizeEach(text));
      if (text.normalize('NFC') === text && !text.includes('Σ') && text.toLowerCase().length === text.length) fast++;
    }
    // both paths are exercised
    expect(fast).toBeGreaterThan(2000);
    expect(fast).toBeLessThan(18000);
  });
});

describe('capital letters', () => {
  it('the shortcut on a lower-case last letter answers as building the letters does: random tokens of cased, uncased and odd letters', () => {
    const r = prng(43);
    const pieces = ['A', 'b', 'ß', 'ẞ', 'ǅ', 'Ǆ', 'ǆ', 'ﬁ', 'Σ', 'ς', 'İ', 'ı', 'Ⅻ', 'ⅻ', '\u0345', 'ʰ', 'ª', '中', 'ا', '1', "'", '-', '😂', '𐐀', '𐐨', '\ud801', 'É', 'e\u0301'];
    let caps = 0;
    for (let t = 0; t < 20000; t++) {
      let tok = '';
      const n = 1 + Math.floor(r() * 7);
      for (let i = 0; i < n; i++) tok += pieces[Math.floor(r() * pieces.length)];
      expect(capitalLetters(tok), JSON.stringify(tok)).toBe(capitalLettersPlain(tok));
      if (capitalLettersPlain(tok) >= 0) caps++;
    }
    expect(caps).toBeGreaterThan(1000);
  });
});

describe('markers', () => {
  it.each([
    ['hahaha that was class', 'eng', ['marker:laughter']],
    ['jajajaja qué fuerte', 'spa', ['marker:laughter']],
    ['mdr trop drôle', 'fra', ['marker:laughter']],
    ['kkkkk que isso', 'por', ['marker:laughter']],
    ['χαχαχα τέλειο', 'ell', ['marker:laughter']],
    ['sooo tired', 'eng', ['marker:elongation']],
    ['was ist das?!?!', 'deu', ['marker:punctuation']],
    ['THIS IS UNREAL', 'eng', ['marker:caps', 'marker:caps']],
    ['I love NATO', 'eng', []],
    ['ngl that was good', 'eng', ['marker:abbr:ngl']],
    ['c’est nul quoi', 'fra', ['marker:particle:quoi']],
    ['Das passt schon, gell', 'deu', ['marker:particle:gell']],
    ['see you later :)', 'eng', ['marker:emoticon']],
    ['nice 🔥', 'eng', ['marker:emoji']],
    ['the 1990s were fine', 'eng', []],
    ['Straße', 'deu', []],
  ])('%s', (text, lang, want) => {
    expect(ids(text, lang).sort()).toEqual([...want].sort());
  });
});

describe('English grammar (compromise, prefiltered)', async () => {
  const g = await EnglishGrammar.create();
  const gids = (text: string) => g.extract({ text, tokens: tokenize(text), lang: 'eng' }).map((h) => h.feature);
  it.each([
    ["I'm after eating my dinner", ['grammar:after-perfect']],
    ['She is just after telling me the news', ['grammar:after-perfect']],
    ['I will see you after dinner', []],
    ['After eating we went home', []],
    ['Are ye coming to the match?', ['grammar:ye-plural']],
    ['Youse are mad', ['grammar:youse-plural']],
    ["I amn't going anywhere", ['grammar:amnt']],
    ['He does be working late most nights', ['grammar:habitual-do-be']],
    ["It's freezing out, so it is.", ['grammar:so-tag']],
    ['Can you close the light please', ['grammar:light-calque']],
    ['The weather is lovely today', []],
  ])('%s', (text, want) => expect(gids(text)).toEqual(want));
  it('only English is parsed', () => expect(g.extract({ text: "I'm after eating", tokens: [], lang: 'deu' })).toEqual([]));
});

describe('registry', () => {
  it('refuses a duplicate name unless told to override', () => {
    const r = new ExtractorRegistry().register('a', () => []);
    expect(() => r.register('a', () => [])).toThrow(/already registered/);
    expect(() => r.register('a', () => [], { override: true })).not.toThrow();
  });
});

describe('lexicon matcher semantics', () => {
  const lex = loadLexicons();
  const m = new LexiconMatcher(lex);
  const fire = (text: string, lang: string, locale: string) => m.match(text, tokenize(text), lang, locale).map((h) => h.feature);
  it('a form inside a longer word does not fire', () => {
    expect(fire('Die Bimmel läutet', 'deu', 'de-AT')).not.toContain('de-AT:bim');
    expect(fire('Die Bim ist voll', 'deu', 'de-AT')).toContain('de-AT:bim');
  });
  it('entries apply to any document of their language, with their locales in the hit', () => {
    const hits = m.match('Die Paradeiser sind teuer', tokenize('Die Paradeiser sind teuer'), 'deu', 'de-DE');
    expect(hits.find((h) => h.feature === 'de-AT:paradeiser')?.locales).toContain('de-AT');
  });
  it('ambiguous entries fire only in their own locale', () => {
    const amb = lex.entries.find((e) => e.ambiguous && e.forms.length && !e.forms[0].includes(' ') && e.negativeContext.length === 0)!;
    const text = `x ${amb.forms[0]} y`;
    const other = amb.locale === 'de-AT' ? 'de-DE' : 'xx-XX';
    expect(fire(text, amb.lang, amb.locale)).toContain(amb.id);
    expect(fire(text, amb.lang, other)).not.toContain(amb.id);
  });
});

describe('pattern entries with the same pattern in sibling locales', () => {
  it('all fire (none shadows another)', () => {
    const e = (locale: string, id: string) => ({
      id: `${locale}:${id}`, locale, locales: [locale], lang: 'fra', forms: [], patterns: ['septante(-\\w+)?'], category: 'lexical' as const,
      gloss: 'seventy', register: 'neutral', source: 's', negativeContext: [], caseSensitive: false, file: 'x', concept: 'number_70',
    });
    const entries = [e('fr-BE', 'septante'), e('fr-CH', 'septante')];
    const lex = { entries, byId: new Map(entries.map((x) => [x.id, x])), concepts: new Map() };
    const m = new LexiconMatcher(lex);
    const text = 'Ça coûte septante-cinq euros';
    expect(m.match(text, tokenize(text), 'fra', 'fr-BE').map((h) => h.feature).sort()).toEqual(['fr-BE:septante', 'fr-CH:septante']);
  });
});
