import { UsageError } from '../../errors.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from '../../pipeline/context.js';

export const STAGES = ['filter', 'segment', 'features', 'signatures', 'dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample', 'shards-plan', 'shards-write', 'shards'] as const;
/** Reduce steps (one task each; they run what is not done before them): world 1 only. */
const GLOBAL = new Set(['dedup-clusters', 'shards-quotas', 'shards-plan', 'shards']);

/**
 * `vernacular run-stage <stage> --rank R --world W`: run the partitions i ≡ R (mod W) of one
 * stage — what a Slurm array task or a Kubernetes Indexed Job pod runs. Run again with
 * `--world 1` after all ranks finished to merge: finished partitions are skipped by their
 * completion markers and the stage's stats are written. The shards build is map/merge steps:
 * `signatures` (partitioned) → `dedup-pairs` (partitioned: band × key range) → `dedup-clusters`
 * (reduce: connected components of the pairs) → `shards-counts` (partitioned) → `shards-quotas` (reduce:
 * targets, author splits) → `shards-sample` (partitioned: per locale) → `shards-plan` (writes the
 * plan's counts) → `shards-write` (partitioned) → `shards` (assemble the manifest). A reduce step
 * run alone does every step before it that is not done yet.
 *
 * Each step's module is imported when that step runs (one process runs one step): a step does not
 * load the language ID models, the parquet writer or the other steps' code it never calls.
 */
export async function runStage(args: string[], opts: BuildOptions & { rank?: number; world: number; shardsDir?: string }, g: GlobalOptions): Promise<CommandResult> {
  const [stage] = args;
  // On a cluster the rank comes from the scheduler: a Slurm array task or a Kubernetes Indexed Job.
  if (opts.rank === undefined) {
    const env = process.env.SLURM_ARRAY_TASK_ID ?? process.env.JOB_COMPLETION_INDEX;
    opts = { ...opts, rank: env !== undefined && /^\d+$/.test(env) ? Number(env) : 0 };
  }
  if (!(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage '${stage}' (stages: ${STAGES.join(', ')})`);
  if (opts.world < 1 || opts.rank! < 0 || opts.rank! >= opts.world) throw new UsageError(`--rank must be in [0, --world); got rank ${opts.rank}, world ${opts.world}`);
  if (GLOBAL.has(stage) && opts.world !== 1) throw new UsageError(`${stage} is a reduce step (one task): run it with --world 1`);
  const dirName = opts.shardsDir ?? 'shards';
  if (!/^[A-Za-z0-9][\w.-]*$/.test(dirName)) throw new UsageError(`--shards-dir must be a folder name inside the build, got '${dirName}'`);
  const ctx = Object.assign(buildContext(opts, stage, g), { rank: opts.rank!, world: opts.world }); // not a spread: keeps the secret's guard
  switch (stage) {
    case 'filter': {
      const { assertUseful, runFilter } = await import('../../eligibility/filter-stage.js');
      return { summary: { stage, rank: ctx.rank, world: ctx.world, funnel: assertUseful(await runFilter(ctx)).funnel } };
    }
    case 'segment': {
      const { runSegment } = await import('../../segment/stage.js');
      return { summary: { stage, rank: ctx.rank, world: ctx.world, ...(await runSegment(ctx)) } };
    }
    case 'features': {
      const { runFeatures } = await import('../../features/stage.js');
      await runFeatures(ctx);
      return { summary: { stage, rank: ctx.rank, world: ctx.world } };
    }
    case 'signatures': {
      const { runSignatures } = await import('../../shards/signatures.js');
      return { summary: { stage, rank: ctx.rank, world: ctx.world, ...(await runSignatures(ctx)) } };
    }
    case 'dedup-pairs':
    case 'shards-counts':
    case 'shards-sample': {
      const { runPlanRank } = await import('../../shards/plan/run.js');
      await runPlanRank(ctx, stage, { dirName });
      return { summary: { stage, rank: ctx.rank, world: ctx.world, dir: dirName } };
    }
    case 'dedup-clusters':
    case 'shards-quotas': {
      const { planShards } = await import('../../shards/plan/run.js');
      await planShards(ctx, { dirName }, undefined, stage);
      return { summary: { stage, dir: dirName } };
    }
    case 'shards-plan': {
      const { planShards } = await import('../../shards/plan/run.js');
      return { summary: { stage, dir: dirName, counts: (await planShards(ctx, { dirName })).counts } };
    }
    case 'shards-write': {
      const { writeShardParts } = await import('../../shards/write.js');
      return { summary: { stage, rank: ctx.rank, world: ctx.world, dir: dirName, partitions: (await writeShardParts(ctx, { dirName })).length } };
    }
    default: {
      const { runShards } = await import('../../shards/stage.js');
      return { summary: { stage, shards: (await runShards(ctx, { dirName })).manifest.shards.length } };
    }
  }
}
