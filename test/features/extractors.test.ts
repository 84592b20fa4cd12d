import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/features/tokenize.js';
import { Markers } from '../../src/features/markers.js';
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
