import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { StageContext } from '../pipeline/stage.js';
import { stableHash } from '../pipeline/stage.js';
import { codeVersion } from '../pipeline/runner.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { populationTargets } from '../shards/population.js';
import { runShards } from '../shards/stage.js';
import type { Manifest } from '../shards/manifest.js';
import type { ShardsOptions } from '../shards/setup.js';
import { buildEvalSets } from './build.js';
import { trainBaseline, trainJudges } from './train.js';
import type { RunResults } from './run.js';
import { evalRunMany } from './run-many.js';
import { readRuns } from '../report/results.js';
import { writeJsonAtomic } from '../io/atomic.js';

/** What the flow's evaluate step produced (or kept from an earlier run). */
export interface EvaluateStepResult {
  /** items per task and locale of the eval sets */
  sets: { counts: ReturnType<typeof buildEvalSets>['counts'] };
  /** the variety judge's held-out report per language */
  judges: { report: Awaited<ReturnType<typeof trainJudges>>['report'] };
  /** one run per model: the balanced baseline, then the proportional one when compared */
  runs: RunResults[];
  /** short names of the runs, as the comparison table shows them */
  names: string[];
  /** the comparison's HTML report */
  reportFile: string;
}

/**
 * The flow's evaluate step: the population-proportional shard mix to compare (when configured),
 * eval sets, the variety judge, an n-gram baseline per mix, and the comparison run. Like the
 * stages, it redoes nothing when nothing it reads changed: the shards (their manifests list every
 * shard file's sha256), the evaluate config, the key and the code.
 */
export async function evaluateStep(ctx: StageContext, sh: { dir: string; manifest: Manifest }, o: { steps: number; parallel?: ShardsOptions['parallel'] }): Promise<EvaluateStepResult> {
  const ev = ctx.loaded.config.evaluate;
  const steps = o.steps;
  const models: string[] = [path.join(ctx.out, 'baseline', 'balanced.json.gz')];
  if (ev.compare_proportional) {
    ctx.log(`[5/${steps}] shards-proportional (a population-proportional mix of the same size, to compare)`);
    const locales = Object.keys(sh.manifest.counts.balance).sort();
    const total = Object.values(sh.manifest.counts.balance).reduce((s, p) => s + p.achieved, 0);
    const balance = { ...ctx.loaded.config.shards.balance, strategy: 'targets' as const, targets: populationTargets(locales, total), min: 0, max: undefined, max_repeat: 1 };
    await runShards({ ...ctx, stage: 'shards' }, { dirName: 'shards-proportional', balance, parallel: o.parallel });
    models.push(path.join(ctx.out, 'baseline', 'proportional.json.gz'));
  }
  ctx.log(`[${steps}/${steps}] evaluate: eval sets, variety judge, n-gram baselines`);
  const evalDir = path.join(ctx.out, 'eval');
  const judgeFile = path.join(ctx.out, 'judge', 'judge.json.gz');
  const compareDir = path.join(evalDir, 'runs', 'compare');
  const manifestSha = (dir: string) => createHash('sha256').update(fs.readFileSync(path.join(dir, 'manifest.json'))).digest('hex');
  const shardDirs = [sh.dir, ...(models[1] ? [path.join(ctx.out, 'shards-proportional')] : [])];
  const fingerprint = stableHash({ v: 1, code: codeVersion(), evaluate: ev, key: keyedHash(ctx.secret, 'fingerprint', ''), shards: shardDirs.map(manifestSha) });
  // a completion marker like the stages' (`_done/`): `shards revoke` leaves it out of a new version, as theirs
  const stampFile = path.join(evalDir, '_done', 'run.json');
  // what the step wrote, with their sha256: a file changed or removed since (an edited suite) redoes the step
  const written = () => [path.join(evalDir, 'suite.yaml'), judgeFile, ...models, path.join(compareDir, 'results.json'), path.join(compareDir, 'report.html')];
  const shaOf = (f: string) => (fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
  type Stamp = { fingerprint: string; outputs: Array<string | null>; sets: EvaluateStepResult['sets']; judges: EvaluateStepResult['judges'] };
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
  let runs: RunResults[];
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
  return { sets, judges: { report: judges.report }, runs, names: models[1] ? ['balanced', 'proportional'] : ['balanced'], reportFile: path.join(compareDir, 'report.html') };
}
