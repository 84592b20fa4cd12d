import type { Doc, FeatureHit } from '../doc.js';
import { loadLexicons, type Lexicon } from './lexicon.js';
import { LexiconMatcher } from './matcher.js';
import { Markers } from './markers.js';
import { EnglishGrammar } from './grammar.js';
import { ExtractorRegistry } from './registry.js';
import { tokenize } from './tokenize.js';

/** Per-document feature summary: token count and hits per category. */
export interface FeatureSummary {
  tokens: number;
  byCategory: { [category: string]: number };
}

/** The names of the default extractors, in registration order. */
export const DEFAULT_EXTRACTORS = ['lexicon', 'markers', 'grammar-en'] as const;
const [LEXICON, MARKERS, GRAMMAR] = DEFAULT_EXTRACTORS;

/** The default extractor set: lexicon (lexical, spelling, slang, …), colloquial markers, English grammar. */
export class FeatureExtractor {
  readonly registry = new ExtractorRegistry();
  private constructor(readonly lexicon: Lexicon) {}

  static async create(opts: { lexicon?: Lexicon; grammar?: boolean } = {}): Promise<FeatureExtractor> {
    const lexicon = opts.lexicon ?? loadLexicons();
    const fx = new FeatureExtractor(lexicon);
    const matcher = new LexiconMatcher(lexicon);
    const markers = new Markers();
    fx.registry.register(LEXICON, (i) => matcher.match(i.text, i.tokens, i.lang, i.locale));
    fx.registry.register(MARKERS, (i) => markers.extract(i));
    if (opts.grammar !== false) {
      const grammar = await EnglishGrammar.create();
      fx.registry.register(GRAMMAR, (i) => grammar.extract(i));
    }
    return fx;
  }

  /** Hits and summary for a text of language `lang` (ISO 639-3) and locale. */
  extract(text: string, lang: string, locale?: string): { hits: FeatureHit[]; summary: FeatureSummary } {
    const tokens = tokenize(text);
    const hits = this.registry.run({ text, tokens, lang, locale });
    const byCategory: { [c: string]: number } = {};
    for (const h of hits) byCategory[h.category ?? 'other'] = (byCategory[h.category ?? 'other'] ?? 0) + 1;
    let words = 0;
    for (const t of tokens) if (!t.emoji) words++;
    return { hits, summary: { tokens: words, byCategory } };
  }

  /** Label a doc in place (features + summary in meta). */
  label(doc: Doc): Doc {
    const { hits, summary } = this.extract(doc.text, doc.lang?.code ?? 'und', doc.locale);
    doc.features = hits;
    doc.meta.feature_summary = summary;
    return doc;
  }
}
