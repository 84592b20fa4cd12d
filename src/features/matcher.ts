import type { FeatureHit } from '../doc.js';
import type { LexEntry, Lexicon } from './lexicon.js';
import { norm } from './lexicon.js';
import type { Token } from './tokenize.js';

interface FormRule {
  /** the form's tokens after the first, lower-cased (or exact when case-sensitive) */
  rest: string[];
  entry: LexEntry;
  exact?: string;
}

interface LangMatcher {
  /** first token → rules starting with it */
  forms: Map<string, FormRule[]>;
  /** all of the language's patterns in one anchored alternation; group k ↔ patternEntries[k] */
  patterns?: RegExp;
  patternEntries: LexEntry[];
  /** each pattern entry's own anchored regex, to find every entry a token matches */
  patternOne: RegExp[];
  /** token → indices of the pattern entries it matches; tokens repeat (Zipf), the regexes run once each */
  patternCache: Map<string, number[]>;
}

const apos = (s: string) => s.replace(/’/g, "'");

/**
 * One combined matcher per language over tokens: a hash of first tokens for the listed forms
 * (multi-word forms continue token by token), and a single alternation regex for all patterns —
 * never one regex per entry.
 */
export class LexiconMatcher {
  private readonly byLang = new Map<string, LangMatcher>();

  constructor(lexicon: Lexicon) {
    for (const e of lexicon.entries) {
      let m = this.byLang.get(e.lang);
      if (!m) {
        m = { forms: new Map(), patternEntries: [], patternOne: [], patternCache: new Map() };
        this.byLang.set(e.lang, m);
      }
      for (const f of e.forms) {
        const parts = f.trim().split(/\s+/).map((p) => (e.caseSensitive ? apos(p.normalize('NFC')) : apos(norm(p))));
        const key = e.caseSensitive ? parts[0].toLowerCase() : parts[0];
        const rule: FormRule = { rest: parts.slice(1), entry: e, exact: e.caseSensitive ? parts[0] : undefined };
        (m.forms.get(key) ?? m.forms.set(key, []).get(key)!).push(rule);
      }
      if (e.patterns.length) m.patternEntries.push(e);
    }
    for (const m of this.byLang.values()) {
      if (!m.patternEntries.length) continue;
      // inner groups become non-capturing, so group k stays entry k
      const nc = (p: string) => p.replace(/(?<!\\)\((?!\?)/g, '(?:');
      m.patterns = new RegExp(`^(?:${m.patternEntries.map((e) => `(${e.patterns.map((p) => `(?:${nc(p)})`).join('|')})`).join('|')})$`, 'u');
      m.patternOne = m.patternEntries.map((e) => new RegExp(`^(?:${e.patterns.map((p) => `(?:${p})`).join('|')})$`, 'u'));
    }
  }

  /** Languages that have entries. */
  get languages(): string[] {
    return [...this.byLang.keys()];
  }

  /**
   * Lexicon hits in a tokenised document of language `lang` and locale `locale`. Ambiguous
   * entries fire only in documents of their own locales; negative context within 3 tokens
   * blocks a hit. Each entry fires at most once per span.
   */
  match(text: string, tokens: Token[], lang: string, locale: string | undefined): FeatureHit[] {
    const m = this.byLang.get(lang);
    if (!m) return [];
    const hits: FeatureHit[] = [];
    const seen = new Set<string>();
    const ok = (e: LexEntry, i: number, j: number) => {
      if (e.ambiguous && !(locale && e.locales.includes(locale))) return false;
      if (e.negativeContext.length) {
        for (let k = Math.max(0, i - 3); k < Math.min(tokens.length, j + 3); k++) if ((k < i || k >= j) && e.negativeContext.includes(tokens[k].lower)) return false;
      }
      return true;
    };
    const add = (e: LexEntry, i: number, j: number, rule: string) => {
      const key = `${e.id}@${i}`;
      if (seen.has(key) || !ok(e, i, j)) return;
      seen.add(key);
      hits.push({ feature: e.id, locales: e.locales, span: [tokens[i].start, tokens[j - 1].end], rule, confidence: e.ambiguous ? 0.7 : 0.95, category: e.category });
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const rules = m.forms.get(t.lower);
      if (rules) {
        for (const r of rules) {
          if (r.exact !== undefined && apos(t.text.normalize('NFC')) !== r.exact) continue;
          let j = i + 1;
          let k = 0;
          while (k < r.rest.length && j < tokens.length && (r.entry.caseSensitive ? apos(tokens[j].text.normalize('NFC')) : tokens[j].lower) === r.rest[k]) {
            j++;
            k++;
          }
          if (k === r.rest.length) add(r.entry, i, j, r.rest.length ? 'lexicon:phrase' : 'lexicon:form');
        }
      }
      if (m.patterns && !t.emoji) {
        let ks = m.patternCache.get(t.lower);
        if (ks === undefined) {
          // the one combined regex rules most tokens out; a match is then checked entry by
          // entry, so entries with the same pattern in sibling locales all fire
          ks = m.patterns.test(t.lower) ? m.patternOne.map((r, j) => (r.test(t.lower) ? j : -1)).filter((j) => j >= 0) : [];
          if (m.patternCache.size > 200_000) m.patternCache.clear();
          m.patternCache.set(t.lower, ks);
        }
        for (const k of ks) add(m.patternEntries[k], i, i + 1, 'lexicon:pattern');
      }
    }
    void text;
    return hits;
  }
}
