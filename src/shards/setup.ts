import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { StageContext } from '../pipeline/stage.js';
import { partitionsFrom, readCompletion, type CompletionIndex } from '../pipeline/runner.js';
import { InputError } from '../errors.js';
import { usableCompression } from '../io/writers/jsonl.js';
import { planBudget, planRanges, sigParts, type PlanSetup } from './plan/common.js';

/** The plan's partitioned steps: their ranks can run in other processes (`runPlanRank`). */
export type PartitionedPlanStep = 'dedup-pairs' | 'shards-counts' | 'shards-sample';

export interface ShardsOptions {
  /** the output folder under `<out>` (default `shards`) */
  dirName?: string;
  /** a balance config that replaces the build config's (the proportional comparison build) */
  balance?: Config['shards']['balance'];
  /** run a partitioned step's ranks elsewhere first (the local executor's worker processes) */
  parallel?: (stage: 'signatures' | PartitionedPlanStep | 'shards-write', args: string[]) => Promise<void>;
}

/** Everything the shards steps derive from the config and the features output. */
export function shardsSetup(ctx: StageContext, opts: ShardsOptions = {}) {
  const { config } = ctx.loaded;
  const sc = opts.balance ? { ...config.shards, balance: opts.balance } : config.shards;
  const dirName = opts.dirName ?? 'shards';
  const featuresDir = path.join(ctx.out, 'features');
  const partitions = partitionsFrom(readCompletion(featuresDir, 'features', 'run `vernacular features` first'), featuresDir, 'docs/');
  if (!partitions.length) throw new InputError(`shards: the features output under ${featuresDir} holds no documents`);
  const localeNames = [...new Set(config.segment.locales)].sort();
  if (localeNames.length > 64) throw new InputError('shards: at most 64 configured locales per build');
  const compression = usableCompression(sc.compression);
  const sigDir = path.join(ctx.out, 'signatures');
  const work = path.join(ctx.out, 'shards-work', dirName);
  return { config, sc, dirName, partitions, localeNames, localeIndex: new Map(localeNames.map((l, i) => [l, i])), compression, sigDir, work };
}


export type Setup = ReturnType<typeof shardsSetup>;
export const dedupParams = (sc: Config['shards']) => ({ shingle: sc.dedup.shingle, numPerm: sc.dedup.num_perm, bands: sc.dedup.bands, threshold: sc.dedup.threshold, minChars: sc.dedup.min_chars });

/** The plan steps' view of the build: the signature partitions with their global doc ranges, the settings, the rank. */
export function planSetup(ctx: StageContext, s: Setup, sigIndex: CompletionIndex): PlanSetup {
  const { parts, total } = sigParts(sigIndex, s.sigDir);
  if (parts.length !== s.partitions.length || parts.some((p, i) => p.key !== s.partitions[i].key)) throw new InputError(`${s.sigDir}: the signatures do not match the features output; re-run \`vernacular run-stage signatures\``);
  const { sc, config } = s;
  return { out: ctx.out, work: s.work, sigIndex, parts, total, seed: config.seed, dedup: dedupParams(sc), balance: sc.balance, splits: sc.splits, localeNames: s.localeNames, budget: planBudget(), ranges: planRanges(total), rank: ctx.rank, world: ctx.world, quiet: ctx.quiet };
}

export const sigCompletion = (s: Setup) => readCompletion(s.sigDir, 'signatures', 'run `vernacular run-stage signatures` first');

/** A JSON file the build wrote before, or null where there is none; a file that is there but not JSON is an input error naming it. */
export function readJsonIfAny(file: string): unknown {
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]}); remove it and run again`);
  }
}
