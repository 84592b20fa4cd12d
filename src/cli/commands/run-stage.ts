import { assertUseful, runFilter } from '../../eligibility/filter-stage.js';
import { runSegment } from '../../segment/stage.js';
import { runFeatures } from '../../features/stage.js';
import { planShards, runShards, runSignatures, writeShardParts } from '../../shards/stage.js';
import { UsageError } from '../../errors.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from './filter.js';

export const STAGES = ['filter', 'segment', 'features', 'signatures', 'shards-plan', 'shards-write', 'shards'] as const;
/** Stages that see the whole build at once: world 1 only. */
const GLOBAL = new Set(['shards-plan', 'shards']);

/**
 * `vernacular run-stage <stage> --rank R --world W`: run the partitions i ≡ R (mod W) of one
 * stage — what a Slurm array task or a Kubernetes Indexed Job pod runs. Run again with
 * `--world 1` after all ranks finished to merge: finished partitions are skipped by their
 * completion markers and the stage's stats are written. The shards build is map/merge steps:
 * `signatures` (partitioned) → `shards-plan` (global: dedup clusters, balance, splits) →
 * `shards-write` (partitioned) → `shards` (global: assemble the manifest; run alone it does every
 * step that is not done yet).
 */
export async function runStage(stage: string, opts: BuildOptions & { rank?: number; world: number; shardsDir?: string }, g: GlobalOptions): Promise<CommandResult> {
  // On a cluster the rank comes from the scheduler: a Slurm array task or a Kubernetes Indexed Job.
  if (opts.rank === undefined) {
    const env = process.env.SLURM_ARRAY_TASK_ID ?? process.env.JOB_COMPLETION_INDEX;
    opts = { ...opts, rank: env !== undefined && /^\d+$/.test(env) ? Number(env) : 0 };
  }
  if (!(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage '${stage}' (stages: ${STAGES.join(', ')})`);
  if (opts.world < 1 || opts.rank! < 0 || opts.rank! >= opts.world) throw new UsageError(`--rank must be in [0, --world); got rank ${opts.rank}, world ${opts.world}`);
  if (GLOBAL.has(stage) && opts.world !== 1) throw new UsageError(`${stage} is a global step (dedup and balance see every doc): run it with --world 1`);
  const dirName = opts.shardsDir ?? 'shards';
  if (!/^[A-Za-z0-9][\w.-]*$/.test(dirName)) throw new UsageError(`--shards-dir must be a folder name inside the build, got '${dirName}'`);
  const ctx = Object.assign(buildContext(opts, g, stage), { rank: opts.rank!, world: opts.world }); // not a spread: keeps the secret's guard
  switch (stage) {
    case 'filter':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, funnel: assertUseful(await runFilter(ctx)).funnel } };
    case 'segment':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, ...(await runSegment(ctx)) } };
    case 'features':
      await runFeatures(ctx);
      return { summary: { stage, rank: ctx.rank, world: ctx.world } };
    case 'signatures':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, ...(await runSignatures(ctx)) } };
    case 'shards-plan':
      return { summary: { stage, dir: dirName, counts: (await planShards(ctx, { dirName })).counts } };
    case 'shards-write':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, dir: dirName, partitions: (await writeShardParts(ctx, { dirName })).length } };
    default:
      return { summary: { stage, shards: (await runShards(ctx, { dirName })).manifest.shards.length } };
  }
}
