/**
 * vernacular — the public library API. Everything the CLI does is reachable from here.
 */
export type { Doc, FeatureHit, Label, SourceRef } from './doc.js';
export { ExitCode, VernacularError, UsageError, ConfigError, InputError, GateFailed } from './errors.js';

// configuration
export { loadConfig, mergeConfig } from './config/load.js';
export { configSchema, type Config, type LoadedConfig } from './config/schema.js';

// reading
export { expandInputs, formatOf, type InputFile } from './io/inputs.js';
export { openRows } from './io/open-rows.js';
export { readJsonl } from './io/readers/jsonl.js';
export { readCsv } from './io/readers/csv.js';
export { readParquet } from './io/readers/parquet.js';
export { mapRow } from './io/mapping.js';

// eligibility
export { exclusionReason, gateContext, ageOn, RULES as ELIGIBILITY_RULES } from './eligibility/policy.js';
export { loadObjections, normaliseAuthorId } from './eligibility/objections.js';
export { keyedHash, resolveSecret } from './eligibility/keyed-hash.js';
export { runFilter } from './eligibility/filter-stage.js';

// segmentation
export { Cascade, DEFAULT_LANGUAGES } from './segment/cascade.js';
export { toIso3, toBcp47, localeOf } from './segment/codes.js';
export { assignLocale } from './segment/locale.js';
export { plausibleLanguages } from './segment/territory.js';
export { runSegment } from './segment/stage.js';

// features
export { loadLexicons, type Lexicon, type LexEntry } from './features/lexicon.js';
export { LexiconMatcher } from './features/matcher.js';
export { FeatureExtractor } from './features/extract.js';
export { ExtractorRegistry } from './features/registry.js';
export { tokenize } from './features/tokenize.js';
export { discover } from './features/discover.js';
export { runFeatures } from './features/stage.js';

// shards
export { DedupIndex, DEFAULT_DEDUP } from './shards/dedupe.js';
export { findPii, scrubPii } from './shards/pii.js';
export { planTargets, sampleLocale } from './shards/balance.js';
export { runShards } from './shards/stage.js';
export { readManifest, type Manifest } from './shards/manifest.js';
export { verifyShards } from './shards/verify.js';
export { revoke } from './shards/revoke.js';

// evaluation
export type { Model, LoglikelihoodRequest, GenerateRequest } from './evaluate/models/types.js';
export { openModel } from './evaluate/models/spec.js';
export { CharNgram, NgramModel } from './evaluate/models/ngram.js';
export { OpenAIModel } from './evaluate/models/openai.js';
export { CachedModel } from './evaluate/models/cache.js';
export { buildEvalSets } from './evaluate/build.js';
export { loadSuite, runSuite } from './evaluate/run.js';
export { LanguageJudge } from './evaluate/judge.js';
export { meanEstimate, ratioEstimate, classification } from './evaluate/metrics.js';

// reports
export { applyRules, loadRules, measureBuild, junitXml } from './report/coverage.js';
export { buildReportHtml } from './report/build-report.js';
