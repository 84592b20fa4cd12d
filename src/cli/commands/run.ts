import fs from 'node:fs';
import path from 'node:path';
import { expandInputs } from '../../io/inputs.js';
import { Progress } from '../../pipeline/progress.js';
import { assertUseful, runFilter } from '../../eligibility/filter-stage.js';
import { funnelTable } from '../../pipeline/stats.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from './filter.js';
import { defaultWorkers, runRanks } from '../../pipeline/executors/local.js';
import { runSegment, segmentTable } from '../../segment/stage.js';
import { runFeatures, featuresTable, featureRates } from '../../features/stage.js';
import { runShards } from '../../shards/stage.js';
import { planTable } from '../../shards/manifest.js';

/** `vernacular run`: the whole flow, stage after stage, into one output folder. */
export async function run(opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, g, 'run');
  const sections: string[] = [];
  const summary: { [k: string]: unknown } = { out: ctx.out };

  const ev = ctx.loaded.config.evaluate;
  const steps = ev.enabled ? 6 : 4;
  // Partitioned stages run as `workers` ranks (child processes), then a merge in this process.
  const workers = (opts as { workers?: number }).workers ?? defaultWorkers();
  const ranks = async (stage: string, args: string[] = []) => {
    if (workers <= 1) return;
    // progress on a terminal: the ranks' partition markers, counted as they appear, against the partitions expected
    const dir = stage === 'shards-write' ? path.join(ctx.out, 'shards-work', args[args.indexOf('--shards-dir') + 1] || 'shards', 'parts', '_done') : path.join(ctx.out, stage, '_done');
    const count = (d: string, re = /^part-.*\.json$/) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => re.test(f)).length : 0);
    const expected: { [s: string]: () => number } = {
      filter: () => expandInputs(ctx.loaded.config, ctx.loaded.baseDir).length,
      segment: () => count(path.join(ctx.out, 'filter', '_done')),
      features: () => (fs.existsSync(path.join(ctx.out, 'segment', 'docs')) ? fs.readdirSync(path.join(ctx.out, 'segment', 'docs')).reduce((n, l) => n + count(path.join(ctx.out, 'segment', 'docs', l), /^part-/), 0) : 0),
      signatures: () => count(path.join(ctx.out, 'features', '_done')),
    };
    const progress = new Progress(`  ${stage}`, expected[stage]?.() ?? 0, { quiet: ctx.quiet, unit: 'partitions' });
    const timer = setInterval(() => progress.set(count(dir)), 250);
    try {
      await runRanks(stage, { config: ctx.loaded.file, out: ctx.out, workers, insecureDevSecret: opts.insecureDevSecret, args });
    } finally {
      clearInterval(timer);
      progress.end();
    }
  };
  ctx.log(`[1/${steps}] filter${workers > 1 ? ` (${workers} workers)` : ''}`);
  await ranks('filter');
  const f = assertUseful(await runFilter({ ...ctx, stage: 'filter' }));
  summary.filter = { funnel: f.funnel };
  sections.push(funnelTable(f.funnel));

  ctx.log(`[2/${steps}] segment`);
  await ranks('segment');
  const seg = await runSegment({ ...ctx, stage: 'segment' });
  summary.segment = seg;
  sections.push(segmentTable(seg, ctx.loaded.config.segment.locales));

  ctx.log(`[3/${steps}] features`);
  await ranks('features');
  const feats = await runFeatures({ ...ctx, stage: 'features' });
  summary.features = featureRates(feats);
  sections.push(featuresTable(feats));

  ctx.log(`[4/${steps}] shards`);
  const sh = await runShards({ ...ctx, stage: 'shards' }, { parallel: ranks });
  summary.shards = { dir: sh.dir, counts: sh.manifest.counts, files: sh.manifest.shards.length };
  sections.push(planTable(sh.manifest));

  if (ev.enabled) {
    const { populationTargets } = await import('../../shards/population.js');
    const { buildEvalSets } = await import('../../evaluate/build.js');
    const { trainBaseline, trainJudges } = await import('../../evaluate/train.js');
    const { evalRunMany, judgeTable } = await import('./evaluate.js');
    const { compareTable } = await import('../../report/compare.js');
    const models: string[] = [path.join(ctx.out, 'baseline', 'balanced.json.gz')];
    if (ev.compare_proportional) {
      ctx.log(`[5/${steps}] shards-proportional (a population-proportional mix of the same size, to compare)`);
      const locales = Object.keys(sh.manifest.counts.balance).sort();
      const total = Object.values(sh.manifest.counts.balance).reduce((s, p) => s + p.achieved, 0);
      const balance = { ...ctx.loaded.config.shards.balance, strategy: 'targets' as const, targets: populationTargets(locales, total), min: 0, max: undefined, max_repeat: 1 };
      await runShards({ ...ctx, stage: 'shards' }, { dirName: 'shards-proportional', balance, parallel: ranks });
      models.push(path.join(ctx.out, 'baseline', 'proportional.json.gz'));
    }
    ctx.log(`[${steps}/${steps}] evaluate: eval sets, variety judge, n-gram baselines`);
    const evalDir = path.join(ctx.out, 'eval');
    const judgeFile = path.join(ctx.out, 'judge', 'judge.json.gz');
    const compareDir = path.join(evalDir, 'runs', 'compare');
    // Like the stages, this step redoes nothing when nothing it reads changed: the shards (their
    // manifests list every shard file's sha256), the evaluate config, the key and the code.
    const { createHash } = await import('node:crypto');
    const { stableHash } = await import('../../pipeline/stage.js');
    const { codeVersion } = await import('../../pipeline/runner.js');
    const { keyedHash } = await import('../../eligibility/keyed-hash.js');
    const { readRuns } = await import('../../report/results.js');
    const { writeJsonAtomic } = await import('../../io/atomic.js');
    const manifestSha = (dir: string) => createHash('sha256').update(fs.readFileSync(path.join(dir, 'manifest.json'))).digest('hex');
    const shardDirs = [sh.dir, ...(models[1] ? [path.join(ctx.out, 'shards-proportional')] : [])];
    const fingerprint = stableHash({ v: 1, code: codeVersion(), evaluate: ev, key: keyedHash(ctx.secret, 'fingerprint', ''), shards: shardDirs.map(manifestSha) });
    // a completion marker like the stages' (`_done/`): `shards revoke` leaves it out of a new version, as theirs
    const stampFile = path.join(evalDir, '_done', 'run.json');
    // what the step wrote, with their sha256: a file changed or removed since (an edited suite) redoes the step
    const written = () => [path.join(evalDir, 'suite.yaml'), judgeFile, ...models, path.join(compareDir, 'results.json'), path.join(compareDir, 'report.html')];
    const shaOf = (f: string) => (fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
    type Stamp = { fingerprint: string; outputs: Array<string | null>; sets: { counts: ReturnType<typeof buildEvalSets>['counts'] }; judges: { report: Awaited<ReturnType<typeof trainJudges>>['report'] } };
    let stamp: Stamp | undefined;
    try {
      stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as Stamp;
    } catch {
      stamp = undefined;
    }
    const resultsFile = path.join(compareDir, 'results.json');
    const fresh = stamp?.fingerprint === fingerprint && JSON.stringify(stamp.outputs) === JSON.stringify(written().map(shaOf)) && !stamp.outputs.includes(null);
    let sets: Stamp['sets'];
    let judges: Stamp['judges'];
    let runs: Awaited<ReturnType<typeof evalRunMany>>;
    if (fresh) {
      ctx.log('  up to date (shards, evaluate config and code unchanged): kept');
      ({ sets, judges } = stamp!);
      runs = readRuns(resultsFile);
    } else {
      fs.rmSync(stampFile, { force: true });
      const built = buildEvalSets({ shardsDir: sh.dir, outDir: evalDir, maxPerLocale: ev.max_per_locale });
      if (path.resolve(built.suite) !== written()[0]) throw new Error(`eval sets: suite written to ${built.suite}, expected ${written()[0]}`);
      sets = { counts: built.counts };
      judges = await trainJudges({ shardsDir: sh.dir, out: judgeFile, secret: ctx.secret });
      trainBaseline({ shardsDir: sh.dir, out: models[0] });
      if (models[1]) trainBaseline({ shardsDir: path.join(ctx.out, 'shards-proportional'), out: models[1] });
      runs = await evalRunMany({ model: models.map((m) => `ngram:${m}`), suite: built.suite, out: compareDir, judge: judgeFile, build: ctx.out, quiet: ctx.quiet });
      writeJsonAtomic(stampFile, { fingerprint, outputs: written().map(shaOf), sets, judges: { report: judges.report } } satisfies Stamp);
    }
    summary.evaluate = { sets: sets.counts, judge: judges.report, runs: runs.map((r) => ({ model: r.model, tasks: r.tasks })) };
    sections.push(judgeTable(judges.report));
    sections.push(compareTable(runs, models[1] ? ['balanced', 'proportional'] : ['balanced']) + `\n\n  report: ${path.relative(process.cwd(), path.join(evalDir, 'runs', 'compare', 'report.html'))}`);
  }

  // The build report, with coverage verdicts when the config names rules.
  const { applyRules, loadRules, measureBuild, coverageTable } = await import('../../report/coverage.js');
  const { buildReportHtml } = await import('../../report/build-report.js');
  const { writeFileAtomic } = await import('../../io/atomic.js');
  const rulesFile = ctx.loaded.config.coverage.rules ? path.resolve(ctx.loaded.baseDir, ctx.loaded.config.coverage.rules) : undefined;
  const evalResults = path.join(ctx.out, 'eval', 'runs', 'compare', 'results.json');
  const hasEval = fs.existsSync(evalResults);
  const { modelLabels, readRuns } = await import('../../report/results.js');
  // eval rules judge the first run: the model trained on this build's balanced shards
  const verdicts = rulesFile ? applyRules(loadRules(rulesFile), measureBuild(ctx.out), hasEval ? evalResults : undefined, { model: hasEval ? modelLabels(readRuns(evalResults))[0] : undefined }) : undefined;
  if (verdicts) {
    sections.push(coverageTable(verdicts).split('\n').slice(-1 - verdicts.filter((v) => !v.pass).length).join('\n'));
    summary.coverage = { pass: verdicts.every((v) => v.pass), failed: verdicts.filter((v) => !v.pass).map((v) => v.message) };
  }
  const reportFile = path.join(ctx.out, 'report.html');
  writeFileAtomic(reportFile, buildReportHtml(ctx.out, { eval: hasEval ? readRuns(evalResults) : undefined, verdicts }));
  sections.push(`Report: ${path.relative(process.cwd(), reportFile)}`);
  sections.push(`Output: ${path.relative(process.cwd(), ctx.out) || ctx.out}`);
  return { summary, text: sections.join('\n\n') };
}
