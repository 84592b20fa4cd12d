import type { FeatureHit } from '../doc.js';
import type { Token } from './tokenize.js';

/** What an extractor sees: the text, its tokens, its language (ISO 639-3) and locale. */
export interface FeatureInput {
  text: string;
  tokens: Token[];
  lang: string;
  locale?: string;
}

/** A pure extractor: input → hits. */
export type Extractor = (input: FeatureInput) => FeatureHit[];

/** A registry of named extractors that refuses duplicate names unless told to override. */
export class ExtractorRegistry {
  private readonly items = new Map<string, Extractor>();

  register(name: string, fn: Extractor, opts: { override?: boolean } = {}): this {
    if (this.items.has(name) && !opts.override) throw new Error(`feature extractor '${name}' is already registered (pass { override: true } to replace it)`);
    this.items.set(name, fn);
    return this;
  }

  get names(): string[] {
    return [...this.items.keys()];
  }

  /** Run every extractor; hits sorted by span start, then feature id. */
  run(input: FeatureInput): FeatureHit[] {
    const hits: FeatureHit[] = [];
    for (const fn of this.items.values()) hits.push(...fn(input));
    return hits.sort((a, b) => a.span[0] - b.span[0] || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  }
}
