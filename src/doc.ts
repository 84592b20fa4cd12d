/** Where a document came from: input file and 1-based line (or row) number. */
export interface SourceRef {
  file: string;
  line: number;
}

/** A structured label with the evidence behind it, so a report can explain every decision. */
export interface Label<T = string> {
  code: T;
  score: number;
  evidence?: string;
}

/** A dialect / colloquial feature found in a document. */
export interface FeatureHit {
  feature: string;
  locales: string[];
  span: [number, number];
  rule: string;
  confidence: number;
  category?: string;
}

/**
 * The one value that flows through every per-document step.
 * `createdAt` is an ISO 8601 string in UTC; `ageAtPost` is the author's age in whole years when
 * the text was posted, when it could be derived.
 */
export interface Doc {
  id: string;
  text: string;
  authorId: string;
  createdAt: string;
  country: string;
  kind: string;
  visibility: string;
  ageAtPost?: number;
  meta: { [key: string]: unknown };
  lang?: Label;
  locale?: string;
  spans?: Array<{ start: number; end: number; lang: string }>;
  features?: FeatureHit[];
  source: SourceRef;
}

