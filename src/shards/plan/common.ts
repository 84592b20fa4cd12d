import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { ColumnFile, readColumnsHeader } from '../../io/columns.js';
import { InputError, UsageError } from '../../errors.js';
import type { CompletionIndex } from '../../pipeline/runner.js';
import { stableHash } from '../../pipeline/stage.js';
import type { DedupParams } from '../dedupe.js';
import type { SigHeader } from '../signatures.js';

/**
 * The shards plan as map and reduce steps, so no process holds the whole build:
 *
 *   signatures (map, per features file; ../signatures.ts)
 *   → dedup-pairs (pairs.ts; map, per band × key range and per exact-hash key range): external sort of the
 *     bucket keys, candidate pairs confirmed by signature similarity → pair files
 *   → dedup-clusters (clusters.ts; reduce, one task): connected components over the pairs only (union-find
 *     while it fits half the budget, else sorted-run rounds: components.ts) → a drop list per partition
 *   → shards-counts (counts.ts; map, per partition): kept docs' (locale, tie key, author), per (author,
 *     locale) counts, supply per locale
 *   → shards-quotas (quotas.ts; reduce, one task): per-locale targets and the author-disjoint split
 *     table, from external sorts of the (author, locale) counts
 *   → shards-sample (sample.ts; map, per locale): external sorts by author (each doc's rank among
 *     its author's docs) and by tie key, the sampler's scan → where each locale stopped and where
 *     each capped author reached the cap
 *   → the write step (../write.ts) decides per doc from its tie key (`hash(seed, doc)`) and those tables.
 *
 * Every step is a `runPartitions` step (markers, outputs, `_complete.json`, world-1 GC). Peak
 * memory of every task is the sort budget, plus a quarter of it (at most 16 MB) for the signature
 * columns it reads in row chunks, plus, for shards-counts and the write step, 13–17 B per doc of
 * one partition; nothing grows with the corpus (the clusters step's union-find, 8 bytes per doc
 * in a pair, is used only while it fits half the budget).
 * The result is the in-memory plan's (`inMemoryPlan`, in-memory.ts), exactly: same clusters (the same
 * candidate rule: in a bucket, each of the first CAP members in index order against every later
 * one; pairs kept only where they join what was not yet joined in the bucket), same
 * representative (earliest post, then tie key, then index), same splits, same sample.
 */

/** Compare each of a bucket's first CAP members with every later member (as `DedupIndex`). */
export const BUCKET_CAP = 64;
/** The version of every plan step's files. */
export const VERSION = 2;

export interface SigPart {
  key: string;
  file: string;
  /** the signature partition's fingerprint (from the completion index) */
  fingerprint: string;
  /** docs in the file, and the global index of its first doc */
  n: number;
  start: number;
}

export interface PlanSetup {
  out: string;
  /** the build's work folder (`shards-work/<dir>`) */
  work: string;
  sigIndex: CompletionIndex;
  parts: SigPart[];
  total: number;
  seed: number;
  dedup: DedupParams;
  balance: Config['shards']['balance'];
  splits: Config['shards']['splits'];
  localeNames: string[];
  /** sort budget per task, bytes */
  budget: number;
  /** key ranges per band (and for the exact hash) */
  ranges: number;
  rank: number;
  world: number;
  quiet: boolean;
}

/** The sort budget: VERNACULAR_PLAN_MEMORY_MB (default 256 MB; decimals allowed, at least 1/16 MB); results do not depend on it. */
export function planBudget(): number {
  const v = process.env.VERNACULAR_PLAN_MEMORY_MB;
  if (v === undefined || v === '') return 256 << 20;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < 1 / 16 || Number(v) > 1 << 20) throw new UsageError(`VERNACULAR_PLAN_MEMORY_MB must be a number of MB from 0.0625 to 1048576, got '${v}'`);
  return Math.floor(Number(v) * (1 << 20));
}

/** Key ranges per band: VERNACULAR_PLAN_RANGES, else one per 4M docs (more tasks for a cluster; results do not depend on it). */
export function planRanges(total: number): number {
  const v = process.env.VERNACULAR_PLAN_RANGES;
  if (v === undefined || v === '') return Math.max(1, Math.min(256, Math.ceil(total / 4_000_000)));
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 4096) throw new UsageError(`VERNACULAR_PLAN_RANGES must be a whole number in [1, 4096], got '${v}'`);
  return Number(v);
}

export const dedupDir = (out: string) => path.join(out, 'dedup');
export const pairsDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'pairs');
export const clustersDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'clusters');
export const countsDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'counts');
export const quotasDir = (s: PlanSetup) => path.join(s.work, 'quotas');
export const sampleDir = (s: PlanSetup) => path.join(s.work, 'sample');
export const spillDir = (dir: string, key: string) => path.join(dir, `.spill-${process.pid}-${key.replace(/\//g, '_')}`);
/** The signature partitions with their global doc ranges (headers only). */
export function sigParts(sigIndex: CompletionIndex, sigDir: string): { parts: SigPart[]; total: number } {
  const parts: SigPart[] = [];
  let start = 0;
  for (const p of sigIndex.partitions) {
    const o = p.outputs.find((x) => x.path.endsWith('.bin'));
    if (!o) throw new InputError(`${sigDir}: signature partition ${p.key} lists no file; re-run \`vernacular run-stage signatures\``);
    const file = path.join(sigDir, o.path);
    const n = readColumnsHeader<{ n: number }>(file).n;
    parts.push({ key: p.key, file, fingerprint: p.fingerprint, n, start });
    start += n;
  }
  if (start >= 2 ** 32) throw new InputError(`shards: ${start} docs in one build; the plan indexes docs with 32 bits (split the build)`);
  return { parts, total: start };
}

export type { SigHeader };

/**
 * A signature file opened for column reads (checked against the plan's view of it). The plan's
 * steps read the columns they need, in row chunks of `chunkRows`, so a task's memory does not
 * follow the size of a partition.
 */
export function openSig(p: SigPart): ColumnFile<SigHeader> {
  const f = ColumnFile.open<SigHeader>(p.file);
  if (f.header.n !== p.n || f.header.key !== p.key) {
    f.close();
    throw new InputError(`${p.file}: changed since the plan began; re-run \`vernacular run-stage signatures\``);
  }
  return f;
}

/**
 * Rows per chunk for `bytesPerRow` bytes of columns per row: a quarter of the sort budget, at
 * most 16 MB (so tiny budgets in tests read one or a few rows per chunk).
 */
export const chunkRows = (bytesPerRow: number, budget: number) => Math.max(1, Math.floor(Math.min(16 << 20, budget / 4) / Math.max(1, bytesPerRow)));

/** Bytes per doc the dedup steps read from the signatures (what the in-memory index held). */
export const sigBytesPerDoc = (p: DedupParams) => p.numPerm * 4 + p.bands * 4 + 8 + 8 + 4 + 1 + 4;

/** A fingerprint of the whole plan: what the write step is built from. */
export const planFingerprint = (sample: CompletionIndex, quotas: CompletionIndex) => stableHash({ v: VERSION, sample: sample.fingerprint, quotas: quotas.fingerprint });
