import fs from 'node:fs';
import path from 'node:path';
import { assertUseful, runFilter, type FilterResult } from '../eligibility/filter-stage.js';
import { buildContext, type BuildOptions, type LogOptions } from '../pipeline/context.js';
import { defaultWorkers } from '../pipeline/executors/local.js';
import { runSegment, type SegmentStats } from '../segment/stage.js';
import { runFeatures, featureRates, type FeatureStats } from '../features/stage.js';
import { runShards } from '../shards/stage.js';
import type { Manifest } from '../shards/manifest.js';
import type { LoadedConfig } from '../config/schema.js';
import type { EvaluateStepResult } from '../evaluate/flow-step.js';
import { applyRules, loadRules, measureBuild, type Verdict } from '../report/coverage.js';
import { buildReportHtml } from '../report/build-report.js';
import { modelLabels, readRuns } from '../report/results.js';
import { writeFileAtomic } from '../io/atomic.js';
import { localRanks } from './ranks.js';

/** Options of the whole flow: a build's config and output folder, how to log, how many worker processes. */
export interface FlowOptions extends BuildOptions, LogOptions {
  /** worker processes for the partitioned stages (default: the machine's cores; 1 runs everything in this process) */
  workers?: number;
}

/** What the whole flow produced: each step's result, and the JSON summary `vernacular run --json` prints. */
export interface FlowResult {
  /** the build's output folder (absolute) */
  out: string;
  /** the effective config */
  loaded: LoadedConfig;
  filter: FilterResult;
  segment: SegmentStats;
  features: FeatureStats;
  shards: { dir: string; manifest: Manifest };
  /** when `evaluate.enabled`: eval sets, judge, baselines and their comparison */
  evaluate?: EvaluateStepResult;
  /** when the config names coverage rules: one verdict per locale × rule */
  coverage?: Verdict[];
  /** the build's HTML report */
  report: string;
  summary: { [k: string]: unknown };
}

/**
 * The whole flow, stage after stage, into one output folder: filter → segment → features →
 * shards → (when `evaluate.enabled`) a proportional mix to compare, eval sets, variety judge,
 * n-gram baselines and their evaluation → coverage verdicts and `report.html`. Every step keeps
 * what is up to date, so a second run on a finished build redoes nothing. What `vernacular run`
 * does; the CLI only prints the result.
 */
export async function runFlow(opts: FlowOptions): Promise<FlowResult> {
  const ctx = buildContext(opts, 'run', opts);
  const summary: { [k: string]: unknown } = { out: ctx.out };

  const ev = ctx.loaded.config.evaluate;
  const steps = ev.enabled ? 6 : 4;
  // Partitioned stages run as `workers` ranks (child processes), then a merge in this process.
  const workers = opts.workers ?? defaultWorkers();
  const ranks = localRanks(ctx, { workers, insecureDevSecret: opts.insecureDevSecret });
  ctx.log(`[1/${steps}] filter${workers > 1 ? ` (${workers} workers)` : ''}`);
  await ranks('filter');
  const filter = assertUseful(await runFilter({ ...ctx, stage: 'filter' }));
  summary.filter = { funnel: filter.funnel };

  ctx.log(`[2/${steps}] segment`);
  await ranks('segment');
  const segment = await runSegment({ ...ctx, stage: 'segment' });
  summary.segment = segment;

  ctx.log(`[3/${steps}] features`);
  await ranks('features');
  const features = await runFeatures({ ...ctx, stage: 'features' });
  summary.features = featureRates(features);

  ctx.log(`[4/${steps}] shards`);
  const shards = await runShards({ ...ctx, stage: 'shards' }, { parallel: ranks });
  summary.shards = { dir: shards.dir, counts: shards.manifest.counts, files: shards.manifest.shards.length };

  let evaluate: EvaluateStepResult | undefined;
  if (ev.enabled) {
    const { evaluateStep } = await import('../evaluate/flow-step.js');
    evaluate = await evaluateStep(ctx, shards, { steps, parallel: ranks });
    summary.evaluate = { sets: evaluate.sets.counts, judge: evaluate.judges.report, runs: evaluate.runs.map((r) => ({ model: r.model, tasks: r.tasks })) };
  }

  // The build report, with coverage verdicts when the config names rules.
  const rulesFile = ctx.loaded.config.coverage.rules ? path.resolve(ctx.loaded.baseDir, ctx.loaded.config.coverage.rules) : undefined;
  const evalResults = path.join(ctx.out, 'eval', 'runs', 'compare', 'results.json');
  const hasEval = fs.existsSync(evalResults);
  // eval rules judge the first run: the model trained on this build's balanced shards
  const coverage = rulesFile ? applyRules(loadRules(rulesFile), measureBuild(ctx.out), hasEval ? evalResults : undefined, { model: hasEval ? modelLabels(readRuns(evalResults))[0] : undefined }) : undefined;
  if (coverage) summary.coverage = { pass: coverage.every((v) => v.pass), failed: coverage.filter((v) => !v.pass).map((v) => v.message) };
  const report = path.join(ctx.out, 'report.html');
  writeFileAtomic(report, buildReportHtml(ctx.out, { eval: hasEval ? readRuns(evalResults) : undefined, verdicts: coverage }));
  return { out: ctx.out, loaded: ctx.loaded, filter, segment, features, shards, evaluate, coverage, report, summary };
}
