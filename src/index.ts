/**
 * vernacular — the public library API. Everything the CLI does is reachable from here: the whole
 * flow (`runFlow`, what `vernacular run` does), each stage on a `buildContext`, and every command's
 * work. The CLI (src/cli/) adds only argv parsing, terminal printing and exit codes.
 *
 * Deliberately internal (the CLI imports them, a library user does not need them; only these
 * names are in backquotes below, test/index.test.ts checks both lists):
 * - the terminal tables and texts (`funnelTable`, `segmentTable`, `featuresTable`, `planTable`,
 *   `judgeTable`, `compareTable`, `coverageTable`, `separationTable`, `agreementText`,
 *   `evalMarkdown`) and `featureRates`, `resultsFile`, `pickRun`, `modelLabels`,
 *   `measureBuildTimed`: printing and the --json summaries, which runFlow also returns;
 * - the map/merge steps of one rank (`runSignatures`, `runPlanRank`, `planShards`,
 *   `writeShardParts`): reached through vernacular run-stage, which the local executor of
 *   runFlow and the Slurm / Kubernetes plans (slurmPlan, k8sPlan) run as processes;
 * - small helpers (`localeDir`, `stageFiles`, `writeFileAtomic`, `toolVersion`, `stderrLog`: the
 *   default log of buildContext and runFlow).
 */
export type { Doc, FeatureHit, Label, SourceRef } from './doc.js';
export { ExitCode, VernacularError, UsageError, ConfigError, InputError, GateFailed } from './errors.js';

// the whole flow, and the set-up of any build
export { runFlow, type FlowOptions, type FlowResult } from './flow/run.js';
export { buildContext, type BuildOptions, type LogOptions } from './pipeline/context.js';
export type { StageContext } from './pipeline/stage.js';
export { slurmPlan, k8sPlan } from './pipeline/executors/plan.js';

// configuration
export { loadConfig, mergeConfig } from './config/load.js';
export { configSchema, type Config, type LoadedConfig } from './config/schema.js';
export { sampleColumns, mappingProblems } from './io/diagnose.js';

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
export { keyedHash } from './eligibility/keyed-hash.js';
export { resolveSecret } from './secret.js';
export { runFilter, assertUseful } from './eligibility/filter-stage.js';

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
export { discover, discoverCsv } from './features/discover.js';
export { runFeatures } from './features/stage.js';

// shards
export { DedupIndex, DEFAULT_DEDUP } from './shards/dedupe.js';
export { findPii, scrubPii } from './shards/pii.js';
export { planTargets, sampleLocale } from './shards/balance.js';
export { runShards } from './shards/stage.js';
export { readManifest, shardsDirOf, type Manifest } from './shards/manifest.js';
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
export { evalRunMany, referenceRates } from './evaluate/run-many.js';
export { exportLmEval } from './evaluate/lm-eval.js';
export { writeSuiteRequests } from './evaluate/requests.js';
export { trainBaseline, trainJudges } from './evaluate/train.js';
export { trainJudgesOnFile, scoreJudge } from './evaluate/judge-data.js';
export { separation } from './evaluate/separation.js';
export { serveModel } from './evaluate/serve.js';
export { LanguageJudge } from './evaluate/judge.js';
export { meanEstimate, ratioEstimate, classification } from './evaluate/metrics.js';

// reports
export { applyRules, loadRules, measureBuild, junitXml, coverageMarkdown } from './report/coverage.js';
export { buildReportHtml } from './report/build-report.js';
export { readRuns } from './report/results.js';

// linguist review
export { ReviewStore } from './review/store.js';
export { sampleForReview, reviewCsv, importReviewCsv } from './review/export.js';
export { agreementReport } from './review/report.js';
export { reviewServer } from './review/server.js';
