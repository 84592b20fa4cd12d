import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Doc } from '../doc.js';
import type { Config } from '../config/schema.js';
import type { StageContext } from '../pipeline/stage.js';
import { stableHash } from '../pipeline/stage.js';
import { codeVersion, partitionsFrom, readCompletion, runPartitions, type CompletionIndex } from '../pipeline/runner.js';
import { readDocs } from '../io/docs.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { authorPseudonym } from '../eligibility/objections.js';
import { expandInputs } from '../io/inputs.js';
import { toBcp47 } from '../segment/codes.js';
import { FeatureExtractor } from '../features/extract.js';
import { toolVersion } from '../paths.js';
import { DedupIndex } from './dedupe.js';
import { readColumns, readColumnsHeader, writeColumns } from '../io/columns.js';
import { scrubPii, type PiiType } from './pii.js';
import { isChatKind } from '../io/conversations.js';
import { planTargets, sampleLocale, type Candidate, type LocalePlan } from './balance.js';
import { ShardSet, rmrf, type ShardFile } from './writer.js';
import { usableCompression } from '../io/writers/jsonl.js';
import { datasetCard } from './card.js';
import { docPlan, planBudget, planFingerprint, planRanges, planTables, readQuotas, readSamples, runDedupClusters, runDedupPairs, runShardsCounts, runShardsQuotas, runShardsSample, sigBytesPerDoc, sigParts, type PlanSetup, type PlanTables } from './plan-steps.js';
import { writeConversationShards, type ConversationFile } from './conversations.js';

/** hash(seed, key) as an unsigned 32-bit number: every sampling and split decision comes from it. */
export function seededHash(seed: number, ...key: string[]): number {
  return createHash('sha256').update(`${seed}\0${key.join('\0')}`).digest().readUInt32BE(0);
}

type Split = 'train' | 'validation' | 'test';

/**
 * Author-disjoint splits with per-locale quotas on documents: each author belongs to the locale
 * where they have most docs; within a locale, authors in `hash(seed, author)` order each go to
 * the split furthest below its share of that locale's docs (each split with a share gets one
 * author first, once a locale has three). An author's docs in every locale follow the author, so
 * no author spans two splits, and every locale's test split holds about its share of documents —
 * a per-author coin flip leaves small locales with few or no test docs.
 */
export function assignSplits(seed: number, authors: readonly string[], docsByAuthorLocale: Iterable<[number, number]>, s: { train: number; validation: number; test: number }): Uint8Array {
  // primary locale per author (most docs; ties: smaller locale index), from (author·256 + locale) → docs
  const primary = new Int32Array(authors.length).fill(-1);
  const count = new Uint32Array(authors.length);
  const docs = new Uint32Array(authors.length);
  for (const [k, n] of docsByAuthorLocale) {
    const a = Math.floor(k / 256);
    const l = k % 256;
    docs[a] += n;
    if (primary[a] < 0 || n > count[a] || (n === count[a] && l < primary[a])) {
      primary[a] = l;
      count[a] = n;
    }
  }
  const total = new Map<number, number>();
  for (let a = 0; a < authors.length; a++) if (primary[a] >= 0) total.set(primary[a], (total.get(primary[a]) ?? 0) + docs[a]);
  const byLocale = new Map<number, number[]>();
  for (let a = 0; a < authors.length; a++) if (primary[a] >= 0) (byLocale.get(primary[a]) ?? byLocale.set(primary[a], []).get(primary[a])!).push(a);
  const order: Split[] = ['train', 'validation', 'test'];
  const out = new Uint8Array(authors.length);
  for (const [loc, list] of byLocale) {
    const hs = new Map(list.map((a) => [a, seededHash(seed, 'split', authors[a])]));
    list.sort((x, y) => hs.get(x)! - hs.get(y)! || (authors[x] < authors[y] ? -1 : 1));
    const t = total.get(loc)!;
    const got = [0, 0, 0];
    const shares = order.map((x) => s[x]);
    const seeded = list.length >= 3 ? [0, 1, 2].filter((k) => shares[k] > 0) : [];
    list.forEach((a, i) => {
      const n = docs[a];
      const pick = i < seeded.length ? seeded[seeded.length - 1 - i] : [0, 1, 2].reduce((best, k) => (shares[k] * t - got[k] > shares[best] * t - got[best] ? k : best), 0);
      got[pick] += n;
      out[a] = pick;
    });
  }
  return out;
}

export const SPLITS: Split[] = ['train', 'validation', 'test'];

/** Cut an ISO timestamp to the configured precision. */
export function coarseTime(iso: string, g: 'month' | 'day' | 'year'): string {
  return g === 'year' ? iso.slice(0, 4) : g === 'month' ? iso.slice(0, 7) : iso.slice(0, 10);
}

export interface Manifest {
  tool: { name: string; version: string };
  seed: number;
  config_sha256: string;
  policy_sha256: string;
  objections: { sha256: string[]; as_of: string | null };
  inputs: Array<{ path: string; bytes: number; sha256: string }>;
  params: { dedup: unknown; balance: unknown; splits: unknown; time_granularity: string; formats: string[]; compression: string; shard_docs: number };
  counts: {
    filter: unknown;
    segment: { [locale: string]: number };
    dedup: { [locale: string]: { in: number; duplicates: number } };
    balance: { [locale: string]: LocalePlan };
    splits: { [locale: string]: { [split: string]: number } };
    /** docs written per locale and source (kind): chats as their own source (README, "Chats") */
    sources?: { [locale: string]: { [kind: string]: number } };
    pii: { [type: string]: number };
  };
  dedup_index_bytes_per_doc: number;
  shards: ShardFile[];
  /** conversation shards (shards.conversations), with the assistant's turns masked */
  conversations?: ConversationFile[];
  parent: null | { manifest_sha256: string; path: string };
  revocations?: unknown[];
  /** how author pseudonyms were derived (`authorPseudonym`) and a keyed check value of the key, so revoke can refuse another key */
  pseudonyms?: { id_normalisation: string; case_insensitive: boolean; key_check: string };
}

function fileSha(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** The parts of a shards build: map tasks per features file, one global plan, one global assemble. */
// 2: author pseudonyms of the normalised id (authorPseudonym)
const SIG_VERSION = 2;
const PLAN_VERSION = 1;
// 2: Parquet `features` as a list of structs
const WRITE_VERSION = 2;

export interface ShardsOptions {
  /** the output folder under `<out>` (default `shards`) */
  dirName?: string;
  /** a balance config that replaces the build config's (the proportional comparison build) */
  balance?: Config['shards']['balance'];
  /** run a partitioned step's ranks elsewhere first (the local executor's worker processes) */
  parallel?: (stage: 'signatures' | PartitionedPlanStep | 'shards-write', args: string[]) => Promise<void>;
}

/** Everything the shards steps derive from the config and the features output. */
function shardsSetup(ctx: StageContext, opts: ShardsOptions = {}) {
  const { config } = ctx.loaded;
  const sc = opts.balance ? { ...config.shards, balance: opts.balance } : config.shards;
  const dirName = opts.dirName ?? 'shards';
  const featuresDir = path.join(ctx.out, 'features');
  const partitions = partitionsFrom(readCompletion(featuresDir, 'features', 'run `vernacular features` first'), featuresDir, 'docs/');
  if (!partitions.length) throw new InputError(`shards: the features output under ${featuresDir} holds no documents`);
  const inputs = partitions.map((p) => p.input);
  const localeNames = [...new Set(config.segment.locales)].sort();
  if (localeNames.length > 64) throw new InputError('shards: at most 64 configured locales per build');
  const compression = usableCompression(sc.compression);
  const sigDir = path.join(ctx.out, 'signatures');
  const work = path.join(ctx.out, 'shards-work', dirName);
  return { config, sc, dirName, partitions, inputs, localeNames, localeIndex: new Map(localeNames.map((l, i) => [l, i])), compression, sigDir, work };
}

type Setup = ReturnType<typeof shardsSetup>;
const sigRel = (s: Setup, i: number) => `${s.partitions[i].key}.bin`;
const sigFile = (s: Setup, i: number) => path.join(s.sigDir, sigRel(s, i));
const planFile = (s: Setup, i: number) => path.join(s.work, 'plan', `${s.partitions[i].key}.bin`);
const dedupParams = (sc: Config['shards']) => ({ shingle: sc.dedup.shingle, numPerm: sc.dedup.num_perm, bands: sc.dedup.bands, threshold: sc.dedup.threshold, minChars: sc.dedup.min_chars });

export interface SigHeader {
  v: number;
  /** the partition (features file) it was made from */
  key: string;
  n: number;
  /** this file's author pseudonyms; the `author` column indexes them */
  authors: string[];
  /** docs per locale in this file, configured or not (the manifest's segment counts) */
  segment: { [locale: string]: number };
}

/**
 * Map step 1 (`signatures`, partitioned over the features files): per doc of a configured
 * locale, the dedup signature (MinHash, band keys, exact hash, time, tie key) and what the plan
 * needs (author pseudonym, locale, length). One column file per features file.
 */
export async function runSignatures(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts)): Promise<{ done: number; skipped: number; index?: CompletionIndex }> {
  const r = await runPartitions<{ n: number }>({
    stage: 'signatures',
    dir: s.sigDir,
    version: SIG_VERSION,
    // pseudonyms and doc hashes depend on the key; the locale list on the config
    common: { dedup: s.sc.dedup, seed: s.config.seed, locales: s.localeNames, key: keyedHash(ctx.secret, 'fingerprint', ''), ci: s.config.objections.case_insensitive },
    partitions: s.partitions,
    rank: ctx.rank,
    world: ctx.world,
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      const dedup = new DedupIndex(dedupParams(s.sc), false, 4096);
      const authorIndex = new Map<string, number>();
      const authors: string[] = [];
      const author: number[] = [];
      const locale: number[] = [];
      const chars: number[] = [];
      const segment: { [l: string]: number } = {};
      for await (const docs of readDocs(p.input, (b) => progress.tick(b))) {
        for (const d of docs) {
          const l = d.locale ?? 'und';
          segment[l] = (segment[l] ?? 0) + 1;
          const li = s.localeIndex.get(l);
          if (li === undefined) continue;
          const pid = keyedHash(ctx.secret, 'doc', d.id);
          const a = authorPseudonym(ctx.secret, d.authorId, s.config.objections.case_insensitive);
          let ai = authorIndex.get(a);
          if (ai === undefined) {
            ai = authors.push(a) - 1;
            authorIndex.set(a, ai);
          }
          author.push(ai);
          locale.push(li);
          chars.push(d.text.length);
          dedup.add({ id: pid, createdAt: d.createdAt, text: d.text, tie: seededHash(s.config.seed, 'sample', pid) });
        }
      }
      const c = dedup.columns();
      const header: SigHeader = { v: SIG_VERSION, key: p.key, n: c.n, authors, segment };
      writeColumns(out.file(`${p.key}.bin`), header, {
        author: Uint32Array.from(author),
        locale: Uint8Array.from(locale),
        chars: Uint32Array.from(chars),
        sigs: c.sigs,
        bandKeys: c.bandKeys,
        exactKeys: c.exactKeys,
        times: c.times,
        ties: c.ties,
        shortFlags: c.shortFlags,
      });
      return { n: c.n };
    },
  });
  return { done: r.ran, skipped: r.skipped, index: ctx.world === 1 ? readCompletion(s.sigDir, 'signatures', 'run `vernacular run-stage signatures` first') : undefined };
}

/** What the global plan step decided, for the manifest. */
export interface ShardsPlan {
  fingerprint: string;
  counts: { segment: { [l: string]: number }; dedup: { [l: string]: { in: number; duplicates: number } }; balance: { [l: string]: LocalePlan } };
  dedup_index_bytes_per_doc: number;
}

/** The plan's partitioned steps (ranks) and its one-task reduces, in flow order. */
export const PLAN_STEPS = ['dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample'] as const;
export type PlanStep = (typeof PLAN_STEPS)[number];
/** From this many docs on, `vernacular run --workers N` runs the plan's map steps as N processes. */
const PARALLEL_PLAN_DOCS = 500_000;
export type PartitionedPlanStep = 'dedup-pairs' | 'shards-counts' | 'shards-sample';
export const PARTITIONED_PLAN_STEPS: readonly PartitionedPlanStep[] = ['dedup-pairs', 'shards-counts', 'shards-sample'];

function planSetup(ctx: StageContext, s: Setup, sigIndex: CompletionIndex): PlanSetup {
  const { parts, total } = sigParts(sigIndex, s.sigDir);
  if (parts.length !== s.partitions.length || parts.some((p, i) => p.key !== s.partitions[i].key)) throw new InputError(`${s.sigDir}: the signatures do not match the features output; re-run \`vernacular run-stage signatures\``);
  const { sc, config } = s;
  return { out: ctx.out, work: s.work, sigIndex, parts, total, seed: config.seed, dedup: dedupParams(sc), balance: sc.balance, splits: sc.splits, localeNames: s.localeNames, budget: planBudget(), ranges: planRanges(total), rank: ctx.rank, world: ctx.world, quiet: ctx.quiet };
}

const sigCompletion = (s: Setup) => readCompletion(s.sigDir, 'signatures', 'run `vernacular run-stage signatures` first');

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
 * the small global tables (see plan-steps.ts). Writes `plan.json` (counts for the manifest);
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

/**
 * The plan as it was before the map/reduce steps, kept as the oracle the tests and the plan
 * bench compare with: one process merges every signature file into one dedup index and clusters
 * it (exact + MinHash LSH), then the balance plan per locale and the author-disjoint splits.
 * Writes, per features file, how many times each doc is taken (0 = dropped) and its split.
 * Memory: the dedup index (~185 B/doc) plus ~30 B/doc of plan columns and one string per author.
 */
export async function planShardsInMemory(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts)): Promise<ShardsPlan> {
  const { sc } = s;
  // the signatures' merge pass: runs what is missing or stale, then vouches for every partition
  const sigs = (await runSignatures({ ...ctx, rank: 0, world: 1 }, opts, s)).index!;
  const fingerprint = stableHash({ v: PLAN_VERSION, sigs: sigs.fingerprint, balance: sc.balance, splits: sc.splits, seed: s.config.seed });
  const planJson = path.join(s.work, 'plan', 'plan.json');
  const prev = readJson(planJson) as ShardsPlan | null;
  if (prev?.fingerprint === fingerprint && s.inputs.every((_, i) => fs.existsSync(planFile(s, i)))) return prev;
  // a plan of another upstream: none of its files may be read next to this one's
  rmrf(path.join(s.work, 'plan'));

  const r = inMemoryPlan(s.inputs.map((_, i) => sigFile(s, i)), { seed: s.config.seed, dedup: dedupParams(sc), balance: sc.balance, splits: sc.splits, localeNames: s.localeNames }, (i, h) => {
    if (h.v !== SIG_VERSION || h.key !== s.partitions[i].key || sigs.partitions[i]?.key !== s.partitions[i].key) throw new InputError(`${sigFile(s, i)}: stale signature file; re-run \`vernacular run-stage signatures\``);
  });
  const { times, split, starts, headers, segmentCounts, dedupCounts, balance, bytesPerDoc } = r;
  for (let i = 0; i < s.inputs.length; i++) {
    const a = starts[i];
    const b = a + headers[i].n;
    writeColumns(planFile(s, i), { v: PLAN_VERSION, fingerprint, n: b - a }, { times: times.subarray(a, b), split: split.subarray(a, b) });
  }
  const plan: ShardsPlan = {
    fingerprint,
    counts: { segment: Object.fromEntries(Object.entries(segmentCounts).sort()), dedup: Object.fromEntries(Object.entries(dedupCounts).sort()), balance },
    dedup_index_bytes_per_doc: bytesPerDoc,
  };
  writeJsonAtomic(planJson, plan);
  return plan;
}

/**
 * The in-memory plan over signature files (in order): one dedup index over every doc, the
 * author-disjoint splits, the sample per locale. The oracle of the map/reduce plan (tests,
 * `scripts/bench/plan.mjs`); memory grows with the build.
 */
export function inMemoryPlan(
  files: string[],
  o: { seed: number; dedup: ReturnType<typeof dedupParams>; balance: Config['shards']['balance']; splits: Config['shards']['splits']; localeNames: string[] },
  check?: (i: number, h: SigHeader) => void,
) {
  // Load the signature files in order: global doc index = position in (file order, doc order).
  const headers = files.map((f) => readColumnsHeader<SigHeader>(f));
  const total = headers.reduce((t, h) => t + h.n, 0);
  let dedup: DedupIndex | undefined = new DedupIndex(o.dedup, false, Math.max(16, total));
  const recAuthor = new Uint32Array(total);
  const recLocale = new Uint8Array(total);
  const recChars = new Uint32Array(total);
  const recKey = new Uint32Array(total);
  const authorIndex = new Map<string, number>();
  const authors: string[] = [];
  const segmentCounts: { [l: string]: number } = {};
  const starts: number[] = [];
  let at = 0;
  for (let i = 0; i < files.length; i++) {
    const { header: h, columns: c } = readColumns<SigHeader>(files[i]);
    check?.(i, h);
    for (const [l, n] of Object.entries(h.segment)) segmentCounts[l] = (segmentCounts[l] ?? 0) + n;
    const local = h.authors.map((a) => {
      let g = authorIndex.get(a);
      if (g === undefined) {
        g = authors.push(a) - 1;
        authorIndex.set(a, g);
      }
      return g;
    });
    const ca = c.author as Uint32Array;
    for (let k = 0; k < h.n; k++) recAuthor[at + k] = local[ca[k]];
    recLocale.set(c.locale as Uint8Array, at);
    recChars.set(c.chars as Uint32Array, at);
    recKey.set(c.ties as Uint32Array, at);
    dedup.append({ n: h.n, sigs: c.sigs as Uint32Array, bandKeys: c.bandKeys as Uint32Array, exactKeys: c.exactKeys as Uint32Array, times: c.times as Float64Array, ties: c.ties as Uint32Array, shortFlags: c.shortFlags as Uint8Array });
    starts.push(at);
    at += h.n;
  }
  authorIndex.clear();
  const dupOf = dedup.duplicateOf();
  const bytesPerDoc = dedup.bytesPerDoc();
  // the index is the largest thing held: let it go before the balance plan allocates
  dedup = undefined;

  // Supply per locale, and docs per (author, locale) from a sorted key array (no per-doc Map).
  const supply: { [l: string]: { docs: number; chars: number } } = {};
  const dedupCounts: { [l: string]: { in: number; duplicates: number } } = {};
  const pairKeys = new Float64Array(total);
  let kept = 0;
  for (let index = 0; index < total; index++) {
    const locale = o.localeNames[recLocale[index]];
    const dc = (dedupCounts[locale] ??= { in: 0, duplicates: 0 });
    dc.in++;
    if (dupOf[index] >= 0) {
      dc.duplicates++;
      continue;
    }
    const sp = (supply[locale] ??= { docs: 0, chars: 0 });
    sp.docs++;
    sp.chars += recChars[index];
    pairKeys[kept++] = recAuthor[index] * 256 + recLocale[index];
  }
  const sortedPairs = pairKeys.subarray(0, kept).sort();
  function* authorLocales(): Generator<[number, number]> {
    for (let a = 0; a < kept; ) {
      let b = a + 1;
      while (b < kept && sortedPairs[b] === sortedPairs[a]) b++;
      yield [sortedPairs[a], b - a];
      a = b;
    }
  }
  const splitOfAuthor = assignSplits(o.seed, authors, authorLocales(), o.splits);
  const targets = planTargets(supply, o.balance);
  const balance: { [l: string]: LocalePlan } = {};
  const times = new Uint8Array(total);
  // one locale's candidates at a time: memory is bounded by the largest locale
  for (const l of Object.keys(supply).sort()) {
    const li = o.localeNames.indexOf(l);
    const cands: Candidate[] = [];
    for (let index = 0; index < total; index++) if (recLocale[index] === li && dupOf[index] < 0) cands.push({ key: recKey[index], author: authors[recAuthor[index]], index });
    const r = sampleLocale(cands, targets[l], o.balance);
    balance[l] = { available: supply[l].docs, target: targets[l], ...r.plan };
    for (const [i, k] of r.take) times[i] = k;
  }
  const split = new Uint8Array(total);
  for (let index = 0; index < total; index++) split[index] = splitOfAuthor[recAuthor[index]];
  return { times, split, starts, headers, total, segmentCounts, dedupCounts, balance, bytesPerDoc };
}

/** What one write task produced, kept in its completion marker for the assemble step. */
interface PartStats {
  files: ShardFile[];
  splits: { [l: string]: { [s: string]: number } };
  sources: { [l: string]: { [k: string]: number } };
  pii: { [t: string]: number };
}

/**
 * Map step 2 (`shards-write`, partitioned over the features files): the docs the plan takes,
 * PII-scrubbed, pseudonymised, with features re-extracted on the scrubbed text, written as
 * shard files named after their features file (`<split>/<locale>/part-PPPPP-NNNNN`), so the
 * bytes do not depend on how many workers ran.
 */
export async function writeShardParts(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts)): Promise<PartStats[]> {
  const { sc } = s;
  const plan = readJson(path.join(s.work, 'plan', 'plan.json')) as ShardsPlan | null;
  if (!plan) throw new InputError(`shards: no plan under ${path.join(s.work, 'plan')}; run \`vernacular run-stage shards-plan\` first`);
  const partsDir = path.join(s.work, 'parts');
  let ps: PlanSetup | undefined;
  let tables: PlanTables | undefined;
  let fx: FeatureExtractor | undefined;
  const r = await runPartitions<PartStats>({
    stage: 'shards-write',
    dir: partsDir,
    version: WRITE_VERSION,
    common: { plan: plan.fingerprint, ci: s.config.objections.case_insensitive, formats: sc.formats, compression: s.compression, shard_docs: sc.shard_docs, time: sc.time_granularity, key: keyedHash(ctx.secret, 'fingerprint', '') },
    partitions: s.partitions,
    rank: ctx.rank,
    world: ctx.world,
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      ps ??= planSetup(ctx, s, sigCompletion(s));
      tables ??= planTables(ps);
      const part = ps.parts.find((x) => x.key === p.key)!;
      const { times: take, split: splitOf } = docPlan(ps, part, tables);
      const header = { n: part.n };
      const st: PartStats = { files: [], splits: {}, sources: {}, pii: {} };
      // nothing taken from this file (other locales, all duplicates, sampled out): no need to read it
      if (!take.some((t) => t > 0)) return st;
      fx ??= await FeatureExtractor.create();
      const prefix = path.basename(p.key);
      const sets = new Map<string, ShardSet>();
      let j = 0;
      for await (const docs of readDocs(p.input, (b) => progress.tick(b))) {
        for (const d of docs as Doc[]) {
          const locale = d.locale ?? 'und';
          if (!s.localeIndex.has(locale)) continue;
          const k = j++;
          const times = take[k];
          if (!times) continue;
          const pid = keyedHash(ctx.secret, 'doc', d.id);
          const author = authorPseudonym(ctx.secret, d.authorId, s.config.objections.case_insensitive);
          const { text, counts } = scrubPii(d.text, d.country, isChatKind(d.kind, s.config) ? 'chat' : 'post');
          for (const [t, n] of Object.entries(counts) as Array<[PiiType, number]>) st.pii[t] = (st.pii[t] ?? 0) + n;
          const split = SPLITS[splitOf[k]];
          const { hits } = fx.extract(text, d.lang?.code ?? 'und', locale);
          const key = `${split}/${locale}`;
          let set = sets.get(key);
          if (!set) {
            set = new ShardSet(partsDir, split, locale, { formats: sc.formats, compression: s.compression, shardDocs: sc.shard_docs, prefix });
            sets.set(key, set);
          }
          for (let rep = 0; rep < times; rep++) {
            set.add({
              id: rep ? `${pid}~${rep}` : pid,
              text,
              locale,
              lang: toBcp47(d.lang?.code ?? 'und'),
              author,
              time: coarseTime(d.createdAt, sc.time_granularity),
              kind: d.kind,
              split,
              features: hits.map((h) => ({ feature: h.feature, category: h.category, span: h.span, confidence: h.confidence })),
            });
            (st.splits[locale] ??= {})[split] = (st.splits[locale][split] ?? 0) + 1;
            (st.sources[locale] ??= {})[d.kind] = (st.sources[locale][d.kind] ?? 0) + 1;
          }
        }
      }
      if (j !== header.n) throw new InputError(`${p.input}: ${j} docs now, ${header.n} when the plan was made; re-run \`vernacular run-stage signatures\` and the plan`);
      for (const key of [...sets.keys()].sort()) {
        const set = sets.get(key)!;
        set.flush();
        for (const f of set.files) out.file(f.path);
        st.files.push(...set.files);
      }
      return st;
    },
  });
  return r.markers.map((m) => m.stats);
}

/** The manifest of a finished shards folder that `doneFile` says was built with `key`, if every file it lists is there at its size. */
function keptShards(dir: string, doneFile: string, key: string): Manifest | undefined {
  try {
    const done = JSON.parse(fs.readFileSync(doneFile, 'utf8')) as { key?: unknown; manifest_sha256?: unknown };
    if (done.key !== key) return undefined;
    const text = fs.readFileSync(path.join(dir, 'manifest.json'));
    if (createHash('sha256').update(text).digest('hex') !== done.manifest_sha256) return undefined;
    const manifest = JSON.parse(text.toString('utf8')) as Manifest;
    if (!fs.existsSync(path.join(dir, 'README.md'))) return undefined;
    const listed: Array<{ path: string; bytes: number }> = [...manifest.shards, ...((manifest as { conversations?: Array<{ path: string; bytes: number }> }).conversations ?? [])];
    for (const f of listed) if (fs.statSync(path.join(dir, f.path), { throwIfNoEntry: false })?.size !== f.bytes) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}

/**
 * The `shards` stage: dedup across the whole build, balance plan per locale, author-disjoint
 * splits, PII scrub, pseudonyms, and the shard files with their dataset card and manifest.
 * Runs as map/merge steps — `signatures` (per features file) → plan (global) → `shards-write`
 * (per features file) → assemble (global) — each skipping what a completion marker says is
 * done, so a killed build resumes and several processes or cluster tasks can share the map
 * steps (`opts.parallel`, or `vernacular run-stage`). The shard files are linked into a staging
 * folder and renamed into `<out>/<dirName>` at the end, so an interrupted build never leaves
 * shards that look whole, and a re-run produces the same bytes.
 */
export async function runShards(ctx: StageContext, opts: ShardsOptions = {}): Promise<{ manifest: Manifest; dir: string }> {
  const s = shardsSetup(ctx, opts);
  const { sc, config, dirName } = s;
  const { baseDir } = ctx.loaded;
  if (s.compression !== sc.compression) ctx.log('warning: zstd-napi is not built here; writing gzip instead (the manifest records it)');
  const one = { ...ctx, rank: 0, world: 1 };
  await opts.parallel?.('signatures', []);
  const plan = await planShards(one, opts, s);
  // A finished build of this very plan, with the same settings, key, code, filter ledger and inputs,
  // is kept as it is (a second `run` on a finished build rewrites nothing); its folder must still
  // hold every file its manifest lists, at the listed size.
  const doneFile = path.join(ctx.out, '_done', `${dirName}.json`);
  const inputsNow = expandInputs(config, baseDir).map((f) => [path.relative(baseDir, f.path), f.bytes, Math.floor(fs.statSync(f.path).mtimeMs)]);
  const filterStatsText = fs.existsSync(path.join(ctx.out, 'filter', 'stats.json')) ? fs.readFileSync(path.join(ctx.out, 'filter', 'stats.json'), 'utf8') : '';
  const doneKey = stableHash({
    v: WRITE_VERSION,
    plan: plan.fingerprint,
    config: stableHash(config),
    sc,
    compression: s.compression,
    key: keyedHash(ctx.secret, 'fingerprint', ''),
    code: codeVersion(),
    filter: createHash('sha256').update(filterStatsText).digest('hex'),
    inputs: inputsNow,
  });
  const kept = keptShards(path.join(ctx.out, dirName), doneFile, doneKey);
  if (kept) {
    rmrf(s.work);
    return { manifest: kept, dir: path.join(ctx.out, dirName) };
  }
  if (fs.existsSync(doneFile)) fs.rmSync(doneFile);
  await opts.parallel?.('shards-write', ['--shards-dir', dirName]);
  const parts = await writeShardParts(one, opts, s);

  const splits: { [l: string]: { [s: string]: number } } = {};
  const pii: { [t: string]: number } = {};
  const sources: { [l: string]: { [k: string]: number } } = {};
  const files: ShardFile[] = [];
  for (const p of parts) {
    files.push(...p.files);
    for (const [l, byK] of Object.entries(p.sources ?? {})) for (const [k, n] of Object.entries(byK)) (sources[l] ??= {})[k] = (sources[l][k] ?? 0) + n;
    for (const [l, byS] of Object.entries(p.splits)) for (const [sp, n] of Object.entries(byS)) (splits[l] ??= {})[sp] = (splits[l][sp] ?? 0) + n;
    for (const [t, n] of Object.entries(p.pii)) pii[t] = (pii[t] ?? 0) + n;
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const staging = path.join(ctx.out, `.${dirName}.staging-${process.pid}`);
  for (const e of fs.existsSync(ctx.out) ? fs.readdirSync(ctx.out) : []) if (e.startsWith(`.${dirName}.staging-`)) rmrf(path.join(ctx.out, e));
  const partsDir = path.join(s.work, 'parts');
  for (const f of files) {
    const dst = path.join(staging, f.path);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    try {
      fs.linkSync(path.join(partsDir, f.path), dst);
    } catch {
      fs.copyFileSync(path.join(partsDir, f.path), dst);
    }
  }

  // conversation shards (off by default): written beside the doc shards, listed in the manifest
  const conversations = sc.conversations ? writeConversationShards(ctx, staging, partsDir, files) : undefined;

  const filterStats = readJson(path.join(ctx.out, 'filter', 'stats.json'));
  const registryHashes: string[] = (filterStats as { registry?: { hashes?: string[] } })?.registry?.hashes ?? [];
  const manifest: Manifest = {
    tool: { name: 'vernacular', version: toolVersion() },
    seed: config.seed,
    config_sha256: stableHash(config),
    policy_sha256: stableHash(config.policy),
    objections: { sha256: registryHashes, as_of: (filterStats as { registry?: { asOf?: string } })?.registry?.asOf ?? null },
    inputs: expandInputs(config, baseDir).map((f) => ({ path: path.relative(baseDir, f.path).split(path.sep).join('/'), bytes: f.bytes, sha256: fileSha(f.path) })),
    params: { dedup: sc.dedup, balance: sc.balance, splits: sc.splits, time_granularity: sc.time_granularity, formats: sc.formats, compression: s.compression, shard_docs: sc.shard_docs },
    counts: {
      filter: (filterStats as { funnel?: unknown })?.funnel ?? null,
      segment: plan.counts.segment,
      dedup: plan.counts.dedup,
      balance: plan.counts.balance,
      splits: Object.fromEntries(Object.entries(splits).sort().map(([l, x]) => [l, Object.fromEntries(Object.entries(x).sort())])),
      sources: Object.fromEntries(Object.entries(sources).sort().map(([l, x]) => [l, Object.fromEntries(Object.entries(x).sort())])),
      pii: Object.fromEntries(Object.entries(pii).sort()),
    },
    dedup_index_bytes_per_doc: plan.dedup_index_bytes_per_doc,
    shards: files,
    ...(conversations ? { conversations } : {}),
    parent: null,
    pseudonyms: pseudonymScheme(ctx.secret, config.objections.case_insensitive),
  };
  writeFileAtomic(
    path.join(staging, 'README.md'),
    datasetCard({ name: config.name ?? 'vernacular', locales: Object.keys(plan.counts.balance).sort(), format: sc.formats.includes('jsonl') ? 'jsonl' : 'parquet', formats: sc.formats, compression: s.compression, plan: plan.counts.balance, splits: manifest.counts.splits, sources: manifest.counts.sources, chatKinds: config.policy.chats.kinds, conversations, version: toolVersion(), card: sc.card, parquetFeatures: 'nested' }),
  );
  writeJsonAtomic(path.join(staging, 'manifest.json'), manifest);
  const dir = path.join(ctx.out, dirName);
  const old = path.join(ctx.out, `.${dirName}.old-${process.pid}`);
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(staging, dir);
  rmrf(old);
  writeJsonAtomic(doneFile, { key: doneKey, manifest_sha256: createHash('sha256').update(fs.readFileSync(path.join(dir, 'manifest.json'))).digest('hex') });
  // the build is whole: its intermediate parts go (the signatures stay for other builds of the same features)
  rmrf(s.work);
  const workRoot = path.dirname(s.work);
  if (fs.existsSync(workRoot) && !fs.readdirSync(workRoot).length) fs.rmdirSync(workRoot);
  return { manifest, dir };
}

/** What the manifest records about the pseudonyms: the id normalisation and a key check value (a keyed hash of nothing, which reveals nothing of the key). */
export function pseudonymScheme(secret: string, caseInsensitive: boolean): NonNullable<Manifest['pseudonyms']> {
  return { id_normalisation: 'trim+NFC' + (caseInsensitive ? '+casefold' : ''), case_insensitive: caseInsensitive, key_check: keyedHash(secret, 'key-check', '') };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The balance plan as a terminal table: target vs achieved per locale, and why a locale fell short. */
export function planTable(m: Manifest): string {
  const lines = ['Balance plan (docs)', `  ${'locale'.padEnd(8)}${'available'.padStart(10)}${'dups'.padStart(6)}${'target'.padStart(8)}${'achieved'.padStart(10)}${'train'.padStart(7)}${'valid'.padStart(7)}${'test'.padStart(6)}  note`];
  for (const [l, p] of Object.entries(m.counts.balance)) {
    const s = m.counts.splits[l] ?? {};
    lines.push(
      `  ${l.padEnd(8)}${String(p.available).padStart(10)}${String(m.counts.dedup[l]?.duplicates ?? 0).padStart(6)}${String(p.target).padStart(8)}${String(p.achieved).padStart(10)}${String(s.train ?? 0).padStart(7)}${String(s.validation ?? 0).padStart(7)}${String(s.test ?? 0).padStart(6)}  ${p.shortfall ?? ''}`,
    );
  }
  const pii = Object.entries(m.counts.pii).map(([t, n]) => `${t} ${n}`).join(', ');
  lines.push('', `  PII replaced: ${pii || 'none'}; dedup index ${m.dedup_index_bytes_per_doc} bytes/doc; ${m.shards.length} shard files`);
  return lines.join('\n');
}
