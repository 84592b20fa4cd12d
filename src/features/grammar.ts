import type { FeatureHit } from '../doc.js';
import type { FeatureInput } from './registry.js';

type Nlp = typeof import('compromise').default;

/**
 * English grammar patterns of Irish and Maltese English, matched with compromise, run only on
 * posts a cheap regex prefilter flags (compromise parses a sentence in ~0.1 ms; most posts skip it).
 */
const PREFILTER = /\b(?:after|youse?|yous|ye|amn['’]?t|do(?:es)? be|so (?:it|i|he|she|they|we|you) (?:is|am|was|are|do|did|does|will)|(?:close|open) the lights?)\b/i;

interface GrammarRule {
  id: string;
  locales: string[];
  /** compromise match expression, or a RegExp over the text */
  match: string | RegExp;
  /** for compromise rules: only sentences this regex finds are parsed */
  gate?: RegExp;
  confidence: number;
}

const RULES: GrammarRule[] = [
  {
    id: 'grammar:after-perfect',
    locales: ['en-IE'],
    match: '#Copula just? after #Gerund',
    gate: /(?:\b\p{L}+['’](?:m|s|re)|\b(?:am|is|are|was|were|be|been|being))\s+(?:just\s+|only\s+)?after\s+\p{L}+ing\b/giu,
    confidence: 0.9,
  },
  { id: 'grammar:habitual-do-be', locales: ['en-IE'], match: '(do|does) be (#Gerund|#Adjective)', gate: /\bdo(?:es)? be\s+\p{L}+/giu, confidence: 0.85 },
  { id: 'grammar:youse-plural', locales: ['en-IE'], match: /\b(?:youse|yous)\b/gi, confidence: 0.9 },
  { id: 'grammar:ye-plural', locales: ['en-IE'], match: /\b(?:are|were|did|do|have|will|can|would|could|should) ye\b|\bye (?:are|were|have|will|can|all|lads|eejits)\b/gi, confidence: 0.8 },
  { id: 'grammar:amnt', locales: ['en-IE'], match: /\bamn['’]?t\b/gi, confidence: 0.95 },
  { id: 'grammar:so-tag', locales: ['en-IE'], match: /,? so (?:it|i|he|she|they|we|you) (?:is|am|was|are|do|did|does|will)\b(?=\s*[.!]*\s*$|\s*[.!])/gi, confidence: 0.8 },
  { id: 'grammar:light-calque', locales: ['en-MT'], match: /\b(?:close|open) the lights?\b/gi, confidence: 0.8 },
];

/** Whether any compromise rule could fire (the part of the prefilter that costs a parse). */
export function needsParse(text: string): boolean {
  return RULES.some((r) => {
    if (!r.gate) return false;
    r.gate.lastIndex = 0;
    return r.gate.test(text);
  });
}

export class EnglishGrammar {
  private constructor(private readonly nlp: Nlp) {}

  static async create(): Promise<EnglishGrammar> {
    const m = await import('compromise');
    return new EnglishGrammar(m.default);
  }

  extract({ text, lang }: FeatureInput): FeatureHit[] {
    if (lang !== 'eng' || !PREFILTER.test(text)) return [];
    const hits: FeatureHit[] = [];
    for (const r of RULES) {
      if (r.match instanceof RegExp) {
        r.match.lastIndex = 0;
        for (const m of text.matchAll(r.match)) hits.push({ feature: r.id, locales: r.locales, span: [m.index!, m.index! + m[0].length], rule: 'grammar:regex', confidence: r.confidence, category: 'grammar' });
        continue;
      }
      // The gate finds the candidate phrase ("I'm just after eating"); compromise tags only that
      // phrase and confirms the pattern (the -ing word is a gerund, the verb a copula).
      r.gate!.lastIndex = 0;
      for (const m of text.matchAll(r.gate!)) {
        const found = this.nlp(m[0]).match(r.match).json({ offset: true }) as Array<{ offset: { start: number; length: number } }>;
        for (const f of found) hits.push({ feature: r.id, locales: r.locales, span: [m.index! + f.offset.start, m.index! + f.offset.start + f.offset.length], rule: 'grammar:compromise', confidence: r.confidence, category: 'grammar' });
      }
    }
    return hits;
  }
}
