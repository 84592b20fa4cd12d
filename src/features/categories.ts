import { z } from 'zod';

/**
 * Every feature category, once, in the order the rate tables and the report's heatmap show them.
 * `lexicon`: a lexicon entry may have it (the `category` of corpora/lexicons/*.yaml; the coverage
 * rules count these); `table`: a column of the feature-rate tables. The other categories are
 * the markers' (caps, punctuation, emoticon): counted, not shown as columns.
 */
const DATA = [
  { id: 'lexical', lexicon: true, table: true },
  { id: 'spelling', lexicon: true, table: true },
  { id: 'slang', lexicon: true, table: true },
  { id: 'grammar', lexicon: true, table: true },
  { id: 'discourse-marker', lexicon: true, table: true },
  { id: 'laughter', lexicon: true, table: true },
  { id: 'emoji', lexicon: true, table: true },
  { id: 'abbreviation', lexicon: false, table: true },
  { id: 'elongation', lexicon: false, table: true },
  { id: 'emoticon', lexicon: false, table: false },
  { id: 'punctuation', lexicon: false, table: false },
  { id: 'caps', lexicon: false, table: false },
] as const;

const schema = z
  .array(z.strictObject({ id: z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'expected a kebab-case id'), lexicon: z.boolean(), table: z.boolean() }))
  .min(1)
  .refine((xs) => new Set(xs.map((x) => x.id)).size === xs.length, 'category ids must be unique');

/** The categories, checked at load (a bad edit fails at once, not in a report). */
const FEATURE_CATEGORIES = schema.parse(DATA) as unknown as typeof DATA;

export type FeatureCategory = (typeof DATA)[number]['id'];
/** The categories a lexicon entry may have. */
export type Category = Extract<(typeof DATA)[number], { lexicon: true }>['id'];

export const LEXICON_CATEGORIES = FEATURE_CATEGORIES.filter((c) => c.lexicon).map((c) => c.id) as [Category, ...Category[]];
/** The columns of the feature-rate tables (terminal and report), in order. */
export const TABLE_CATEGORIES: FeatureCategory[] = FEATURE_CATEGORIES.filter((c) => c.table).map((c) => c.id);
