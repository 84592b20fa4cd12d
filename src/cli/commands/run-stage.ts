import { runFilter } from '../../eligibility/filter-stage.js';
import { runSegment } from '../../segment/stage.js';
import { runFeatures } from '../../features/stage.js';
import { runShards } from '../../shards/stage.js';
import { UsageError } from '../../errors.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from './filter.js';

export const STAGES = ['filter', 'segment', 'features', 'shards'] as const;

/**
 * `vernacular run-stage <stage> --rank R --world W`: run the partitions i ≡ R (mod W) of one
 * stage — what a Slurm array task or a Kubernetes Indexed Job pod runs. Run again with
 * `--world 1` after all ranks finished to merge: finished partitions are skipped by their
 * completion markers and the stage's stats are written. `shards` is a global step: world 1 only.
 */
export async function runStage(stage: string, opts: BuildOptions & { rank?: number; world: number }, g: GlobalOptions): Promise<CommandResult> {
  // On a cluster the rank comes from the scheduler: a Slurm array task or a Kubernetes Indexed Job.
  if (opts.rank === undefined) {
    const env = process.env.SLURM_ARRAY_TASK_ID ?? process.env.JOB_COMPLETION_INDEX;
    opts = { ...opts, rank: env !== undefined && /^\d+$/.test(env) ? Number(env) : 0 };
  }
  if (!(STAGES as readonly string[]).includes(stage)) throw new UsageError(`unknown stage '${stage}' (stages: ${STAGES.join(', ')})`);
  if (opts.world < 1 || opts.rank! < 0 || opts.rank! >= opts.world) throw new UsageError(`--rank must be in [0, --world); got rank ${opts.rank}, world ${opts.world}`);
  const ctx = { ...buildContext(opts, g, stage), rank: opts.rank!, world: opts.world };
  switch (stage) {
    case 'filter':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, funnel: (await runFilter(ctx)).funnel } };
    case 'segment':
      return { summary: { stage, rank: ctx.rank, world: ctx.world, ...(await runSegment(ctx)) } };
    case 'features':
      await runFeatures(ctx);
      return { summary: { stage, rank: ctx.rank, world: ctx.world } };
    default:
      if (ctx.world !== 1) throw new UsageError('shards is a global step (dedup and balance see every doc): run it with --world 1');
      return { summary: { stage, shards: (await runShards(ctx)).manifest.shards.length } };
  }
}
