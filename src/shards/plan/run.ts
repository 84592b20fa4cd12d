import path from 'node:path';
import type { StageContext } from '../../pipeline/stage.js';
import { readCompletion } from '../../pipeline/runner.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import type { LocalePlan } from '../balance.js';
import { runSignatures } from '../signatures.js';
import { planSetup, shardsSetup, sigCompletion, type PartitionedPlanStep, type Setup, type ShardsOptions } from '../setup.js';
import { planFingerprint, sigBytesPerDoc } from './common.js';
import { runDedupPairs } from './pairs.js';
import { runDedupClusters } from './clusters.js';
import { runShardsCounts } from './counts.js';
import { readQuotas, runShardsQuotas } from './quotas.js';
import { readSamples, runShardsSample } from './sample.js';

/** What the global plan step decided, for the manifest. */
export interface ShardsPlan {
  fingerprint: string;
  counts: { segment: { [l: string]: number }; dedup: { [l: string]: { in: number; duplicates: number } }; balance: { [l: string]: LocalePlan } };
  dedup_index_bytes_per_doc: number;
}

/** From this many docs on, `vernacular run --workers N` runs the plan's map steps as N processes. */
const PARALLEL_PLAN_DOCS = 500_000;

/**
 * One rank of a partitioned plan step (`dedup-pairs`, `shards-counts`, `shards-sample`): its
 * upstream must be complete (the reduce before it, or the signatures' `--world 1` pass).
 */
export async function runPlanRank(ctx: StageContext, step: PartitionedPlanStep, opts: ShardsOptions = {}): Promise<void> {
  const s = shardsSetup(ctx, opts);
  const ps = planSetup(ctx, s, sigCompletion(s));
  if (step === 'dedup-pairs') await runDedupPairs(ps);
  else if (step === 'shards-counts') await runShardsCounts(ps, readCompletion(path.join(ctx.out, 'dedup', 'clusters'), 'dedup-clusters', 'run `vernacular run-stage dedup-clusters` first'));
  else await runShardsSample(ps, readCompletion(path.join(s.work, 'quotas'), 'shards-quotas', 'run `vernacular run-stage shards-quotas` first'));
}

/**
 * The plan (`shards-plan`, and the reduces `dedup-clusters` / `shards-quotas` as `upTo`): runs,
 * in one process with `--world 1`, every step of the chain up to `upTo` that is not done yet —
 * signatures merge → dedup-pairs → dedup-clusters → shards-counts → shards-quotas →
 * shards-sample — calling `opts.parallel` first for each partitioned one. No step holds the
 * build: each is bounded by the sort budget (VERNACULAR_PLAN_MEMORY_MB) plus one partition plus
 * the small global tables (see plan/common.ts). Writes `plan.json` (counts for the manifest);
 * the write step decides per doc from the tables (`docPlan`).
 */
export async function planShards(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts), upTo: 'dedup-clusters' | 'shards-quotas' | 'shards-plan' = 'shards-plan'): Promise<ShardsPlan> {
  const sigs = (await runSignatures({ ...ctx, rank: 0, world: 1 }, opts, s)).index!;
  const one = planSetup({ ...ctx, rank: 0, world: 1 }, s, sigs);
  // worker processes pay off for big plans only (each loads the CLI); the result is the same either way
  const parallel = one.total >= PARALLEL_PLAN_DOCS ? opts.parallel : undefined;
  await parallel?.('dedup-pairs', []);
  const pairs = (await runDedupPairs(one))!;
  const clusters = await runDedupClusters(one, pairs);
  if (upTo === 'dedup-clusters') return undefined as never;
  await parallel?.('shards-counts', []);
  const counts = (await runShardsCounts(one, clusters))!;
  const quotas = await runShardsQuotas(one, counts);
  if (upTo === 'shards-quotas') return undefined as never;
  // ranks run from the config: a balance given here (the comparison build) samples in this process
  if (!opts.balance) await parallel?.('shards-sample', ['--shards-dir', s.dirName]);
  const sample = (await runShardsSample(one, quotas))!;
  const q = readQuotas(one);
  const samples = readSamples(one);
  const plan: ShardsPlan = {
    fingerprint: planFingerprint(sample, quotas),
    counts: { segment: q.segment, dedup: q.dedup, balance: Object.fromEntries([...samples].map(([l, x]) => [l, x.plan])) },
    dedup_index_bytes_per_doc: sigBytesPerDoc(one.dedup),
  };
  writeJsonAtomic(path.join(s.work, 'plan', 'plan.json'), plan);
  return plan;
}
