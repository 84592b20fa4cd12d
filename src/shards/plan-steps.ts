import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { RawWriter, readColumns, readColumnsHeader, writeColumns, writeColumnsFromFiles } from '../io/columns.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { ExternalSorter } from '../io/extsort.js';
import { InputError, UsageError } from '../errors.js';
import { readCompletion, runPartitions, type CompletionIndex, type Partition } from '../pipeline/runner.js';
import { stableHash } from '../pipeline/stage.js';
import { similarity } from './minhash.js';
import type { DedupColumns, DedupParams } from './dedupe.js';
import { planTargets, type LocalePlan } from './balance.js';
import { rmrf } from './writer.js';

/**
 * The shards plan as map and reduce steps, so no process holds the whole build:
 *
 *   signatures (map, per features file; exists)
 *   → dedup-pairs (map, per band × key range and per exact-hash key range): external sort of the
 *     bucket keys, candidate pairs confirmed by signature similarity → pair files
 *   → dedup-clusters (reduce, one task): union-find over the pairs only → a drop list per partition
 *   → shards-counts (map, per partition): kept docs' (locale, tie key, author), per (author,
 *     locale) counts, supply per locale
 *   → shards-quotas (reduce, one task): per-locale targets and the author-disjoint split table,
 *     from external sorts of the (author, locale) counts
 *   → shards-sample (map, per locale): external sorts by author (each doc's rank among its
 *     author's docs) and by tie key, the sampler's scan → where each locale stopped and where
 *     each capped author reached the cap
 *   → the write step decides per doc from its tie key (`hash(seed, doc)`) and those tables.
 *
 * Every step is a `runPartitions` step (markers, outputs, `_complete.json`, world-1 GC). Peak
 * memory of every task is the sort budget plus one partition's columns; the one object that grows
 * with the corpus is the clusters step's union-find (8 bytes per doc that is in a pair).
 * The result is the in-memory plan's (`planShardsInMemory`), exactly: same clusters (the same
 * candidate rule: in a bucket, each of the first CAP members in index order against every later
 * one; pairs kept only where they join what was not yet joined in the bucket), same
 * representative (earliest post, then tie key, then index), same splits, same sample.
 */

/** Compare each of a bucket's first CAP members with every later member (as `DedupIndex`). */
export const BUCKET_CAP = 64;
const VERSION = 1;

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
const pairsDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'pairs');
const clustersDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'clusters');
const countsDir = (s: PlanSetup) => path.join(dedupDir(s.out), 'counts');
const quotasDir = (s: PlanSetup) => path.join(s.work, 'quotas');
const sampleDir = (s: PlanSetup) => path.join(s.work, 'sample');
const spillDir = (dir: string, key: string) => path.join(dir, `.spill-${process.pid}-${key.replace(/\//g, '_')}`);

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

/** A signature file: the dedup index's per-doc arrays, plus each doc's author and locale. */
interface SigColumns extends DedupColumns {
  authors: string[];
  author: Uint32Array;
  locale: Uint8Array;
}

function readSig(p: SigPart): SigColumns {
  const { header, columns: c } = readColumns<{ n: number; authors: string[]; key: string }>(p.file);
  if (header.n !== p.n || header.key !== p.key) throw new InputError(`${p.file}: changed since the plan began; re-run \`vernacular run-stage signatures\``);
  return {
    n: header.n,
    authors: header.authors,
    author: c.author as Uint32Array,
    locale: c.locale as Uint8Array,
    sigs: c.sigs as Uint32Array,
    bandKeys: c.bandKeys as Uint32Array,
    exactKeys: c.exactKeys as Uint32Array,
    times: c.times as Float64Array,
    ties: c.ties as Uint32Array,
    shortFlags: c.shortFlags as Uint8Array,
  };
}

/** Which of `ranges` contiguous ranges a 32-bit key falls in. */
const rangeOf = (key: number, ranges: number) => Math.floor((key * ranges) / 2 ** 32);

/** Appends u32 pairs to a file in chunks (the pair list is never held whole). */
class PairWriter {
  private buf = new Uint32Array(1 << 16);
  private k = 0;
  private fd: number;
  count = 0;
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'w');
  }
  add(a: number, b: number): void {
    this.buf[this.k++] = a;
    this.buf[this.k++] = b;
    this.count++;
    if (this.k === this.buf.length) this.flush();
  }
  private flush(): void {
    if (this.k) fs.writeSync(this.fd, new Uint8Array(this.buf.buffer, 0, this.k * 4));
    this.k = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Read a pair file in chunks: `each(a, b)` per pair. */
function readPairs(file: string, each: (a: number, b: number) => void): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    let pos = 0;
    for (let n = fs.readSync(fd, buf, 0, buf.length, pos); n > 0; n = fs.readSync(fd, buf, 0, buf.length, pos)) {
      if (n % 8) throw new InputError(`${file}: truncated pair file; re-run \`vernacular run-stage dedup-pairs\``);
      for (let o = 0; o < n; o += 8) each(buf.readUInt32LE(o), buf.readUInt32LE(o + 4));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

type PairsTask = { kind: 'exact'; range: number } | { kind: 'band'; band: number; range: number };

function pairsTasks(s: PlanSetup): Array<Partition & { task: PairsTask }> {
  const out: Array<Partition & { task: PairsTask }> = [];
  const r4 = (r: number) => String(r).padStart(4, '0');
  const weight = Math.max(1, Math.round(s.total / (s.dedup.bands + 1) / s.ranges));
  const upstream = { sigs: s.sigIndex.fingerprint, ranges: s.ranges };
  for (let r = 0; r < s.ranges; r++) out.push({ key: `exact-r${r4(r)}`, input: path.dirname(s.parts[0]?.file ?? s.out), upstream, weight, task: { kind: 'exact', range: r } });
  for (let b = 0; b < s.dedup.bands; b++)
    for (let r = 0; r < s.ranges; r++) out.push({ key: `band${String(b).padStart(3, '0')}-r${r4(r)}`, input: path.dirname(s.parts[0]?.file ?? s.out), upstream, weight, task: { kind: 'band', band: b, range: r } });
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * `dedup-pairs` (partitioned over bands × key ranges, plus the exact hash's key ranges): every
 * doc's key for this band and range, with its index and signature, external-sorted; each bucket
 * of two or more gives its confirmed pairs. Exact: runs of equal 64-bit text hash give (first, other).
 */
export async function runDedupPairs(s: PlanSetup): Promise<CompletionIndex | undefined> {
  const np = s.dedup.numPerm;
  const B = s.dedup.bands;
  const tasks = pairsTasks(s);
  const dir = pairsDir(s);
  await runPartitions<{ pairs: number; records: number; spilled: number; runs: number }>({
    stage: 'dedup-pairs',
    dir,
    version: VERSION,
    common: { cap: BUCKET_CAP, threshold: s.dedup.threshold },
    partitions: tasks,
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const t = (p as (typeof tasks)[number]).task;
      const spill = spillDir(dir, p.key);
      const writer = new PairWriter(out.file(`${p.key}.pairs`));
      const exact = t.kind === 'exact';
      const rs = exact ? 12 : 8 + 4 * np;
      const sorter = new ExternalSorter({ recordSize: rs, keyBytes: exact ? 12 : 8, budget: s.budget, dir: spill });
      try {
        for (const part of s.parts) {
          const c = readSig(part);
          const sigBytes = Buffer.from(c.sigs.buffer, c.sigs.byteOffset, c.sigs.byteLength);
          for (let k = 0; k < c.n; k++) {
            if (exact) {
              const hi = c.exactKeys[2 * k];
              if (rangeOf(hi, s.ranges) !== t.range) continue;
              const [buf, off] = sorter.slot();
              buf.writeUInt32BE(hi, off);
              buf.writeUInt32BE(c.exactKeys[2 * k + 1], off + 4);
              buf.writeUInt32BE(part.start + k, off + 8);
            } else {
              if (c.shortFlags[k]) continue;
              const key = c.bandKeys[k * B + t.band];
              if (rangeOf(key, s.ranges) !== t.range) continue;
              const [buf, off] = sorter.slot();
              buf.writeUInt32BE(key, off);
              buf.writeUInt32BE(part.start + k, off + 4);
              sigBytes.copy(buf, off + 8, k * np * 4, (k + 1) * np * 4);
            }
          }
        }
        if (exact) {
          // runs of equal (hi, lo): the first in index order pairs with each other one
          let hi = -1;
          let lo = -1;
          let first = -1;
          sorter.sorted((buf, off) => {
            const h = buf.readUInt32BE(off);
            const l = buf.readUInt32BE(off + 4);
            const i = buf.readUInt32BE(off + 8);
            if (h === hi && l === lo) writer.add(first, i);
            else {
              hi = h;
              lo = l;
              first = i;
            }
          });
        } else {
          bandBuckets(sorter, np, s.dedup.threshold, (a, b) => writer.add(a, b));
        }
        return { pairs: writer.count, records: sorter.count, spilled: sorter.spilled, runs: sorter.runCount };
      } finally {
        writer.close();
        sorter.close();
        rmrf(spill);
      }
    },
  });
  return s.world === 1 ? readCompletion(dir, 'dedup-pairs', 'run `vernacular run-stage dedup-pairs` first') : undefined;
}

/**
 * One band's sorted (key, index, signature) records → pairs. In a bucket, the first CAP members
 * (index order) are held with a union-find over them; member t is compared with the held members
 * before it (all CAP of them once t ≥ CAP). Among held members a confirmed pair is emitted only
 * when it joins two of their components; a later member emits one pair per component it joins.
 * The components over the emitted pairs are those over every confirmed pair.
 */
function bandBuckets(sorter: ExternalSorter, np: number, threshold: number, emit: (a: number, b: number) => void): void {
  const held = new Uint32Array(BUCKET_CAP * np);
  const heldBytes = Buffer.from(held.buffer);
  const heldIdx = new Uint32Array(BUCKET_CAP);
  const par = new Int32Array(BUCKET_CAP);
  const seen = new Int32Array(BUCKET_CAP).fill(-1);
  const find = (i: number) => {
    while (par[i] !== i) i = par[i] = par[par[i]];
    return i;
  };
  const sig = new Uint32Array(np);
  const sigBytes = Buffer.from(sig.buffer);
  let key = -1;
  let t = 0;
  let stamp = 0;
  sorter.sorted((buf, off) => {
    const k = buf.readUInt32BE(off);
    const idx = buf.readUInt32BE(off + 4);
    if (k !== key) {
      key = k;
      t = 0;
    }
    stamp++;
    if (t < BUCKET_CAP) {
      // straight into the held slot (the record's bytes are little-endian u32, as the typed array reads them)
      buf.copy(heldBytes, t * np * 4, off + 8, off + 8 + np * 4);
      par[t] = t;
      for (let x = 0; x < t; x++) {
        if (similarity(held, x * np, held, t * np, np) < threshold) continue;
        const rx = find(x);
        const rt = find(t);
        if (rx !== rt) {
          emit(heldIdx[x], idx);
          par[Math.max(rx, rt)] = Math.min(rx, rt);
        }
      }
      heldIdx[t] = idx;
    } else {
      buf.copy(sigBytes, 0, off + 8, off + 8 + np * 4);
      for (let x = 0; x < BUCKET_CAP; x++) {
        if (similarity(held, x * np, sig, 0, np) < threshold) continue;
        const r = find(x);
        if (seen[r] === stamp) continue;
        seen[r] = stamp;
        emit(heldIdx[x], idx);
      }
    }
    t++;
  });
}

const f64 = new Float64Array(1);
const t32 = new Uint32Array(f64.buffer);
/** A number as 8 bytes whose byte order is its numeric order (IEEE 754 with the sign bit flipped, negatives inverted). */
export function writeTimeKey(t: number, buf: Buffer, off: number): void {
  f64[0] = t;
  let hi = t32[1];
  let lo = t32[0];
  if (hi >>> 31) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else hi = (hi | 0x80000000) >>> 0;
  buf.writeUInt32BE(hi, off);
  buf.writeUInt32BE(lo, off + 4);
}

/** What a drop file holds: the local indices of the partition's docs that duplicate another. */
interface DropHeader {
  v: number;
  key: string;
  n: number;
}

/**
 * `dedup-clusters` (one task): union-find over the pairs' endpoints only (external-sorted,
 * deduplicated); each component keeps its earliest post (then smallest tie key, then index):
 * (root, time, tie key, index) per endpoint, read from the signature files for the endpoints only,
 * external-sorted, so each root's first record is its keeper; the rest, sorted by index, are the
 * drop lists of their partitions. What it holds is 8 bytes per endpoint (the sorted endpoints and
 * their parents) next to the sort budget.
 */
export async function runDedupClusters(s: PlanSetup, pairs: CompletionIndex): Promise<CompletionIndex> {
  const dir = clustersDir(s);
  await runPartitions<{ pairs: number; nodes: number; dropped: number; spilled: number }>({
    stage: 'dedup-clusters',
    dir,
    version: VERSION,
    common: {},
    partitions: [{ key: 'all', input: pairsDir(s), upstream: { pairs: pairs.fingerprint, sigs: s.sigIndex.fingerprint }, weight: s.total || 1 }],
    rank: 0,
    world: 1,
    quiet: s.quiet,
    run: async (_p, out) => {
      const files = pairs.partitions.flatMap((p) => p.outputs.map((o) => path.join(pairsDir(s), o.path)));
      const spill = spillDir(dir, 'all');
      // at most two sorters alive at a time: half the budget each
      const budget = Math.floor(s.budget / 2);
      const sorters: ExternalSorter[] = [];
      const sorter = (recordSize: number, keyBytes: number, sub: string) => {
        const x = new ExternalSorter({ recordSize, keyBytes, budget, dir: path.join(spill, sub) });
        sorters.push(x);
        return x;
      };
      try {
        // the endpoints, external-sorted and deduplicated: the only per-node arrays are these and the parents
        const ends = sorter(4, 4, 'ends');
        let m = 0;
        for (const f of files)
          readPairs(f, (a, b) => {
            let [buf, off] = ends.slot();
            buf.writeUInt32BE(a, off);
            [buf, off] = ends.slot();
            buf.writeUInt32BE(b, off);
            m++;
          });
        let nodes = new Uint32Array(1024);
        let nn = 0;
        ends.sorted((buf, off) => {
          const x = buf.readUInt32BE(off);
          if (nn && nodes[nn - 1] === x) return;
          if (nn === nodes.length) {
            const g = new Uint32Array(nodes.length * 2);
            g.set(nodes);
            nodes = g;
          }
          nodes[nn++] = x;
        });
        ends.close();
        nodes = nodes.slice(0, nn);
        const at = (x: number) => {
          let lo = 0;
          let hi = nn - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >>> 1;
            if (nodes[mid] < x) lo = mid + 1;
            else if (nodes[mid] > x) hi = mid - 1;
            else return mid;
          }
          throw new Error(`dedup-clusters: node ${x} missing`);
        };
        const par = new Int32Array(nn);
        for (let i = 0; i < nn; i++) par[i] = i;
        const find = (i: number) => {
          while (par[i] !== i) i = par[i] = par[par[i]];
          return i;
        };
        for (const f of files)
          readPairs(f, (a, b) => {
            const ra = find(at(a));
            const rb = find(at(b));
            if (ra !== rb) par[Math.max(ra, rb)] = Math.min(ra, rb);
          });
        // (root, time, tie key, index) per endpoint, sorted: each root's first record is the one it keeps
        // (earliest post, then smallest tie key, then index); times as order-preserving bytes
        const byRoot = sorter(20, 20, 'roots');
        let q = 0;
        for (const part of s.parts) {
          if (q < nn && nodes[q] < part.start + part.n) {
            const c = readSig(part);
            for (; q < nn && nodes[q] < part.start + part.n; q++) {
              const [buf, off] = byRoot.slot();
              buf.writeUInt32BE(find(q), off);
              writeTimeKey(c.times[nodes[q] - part.start], buf, off + 4);
              buf.writeUInt32BE(c.ties[nodes[q] - part.start], off + 12);
              buf.writeUInt32BE(nodes[q], off + 16);
            }
          }
        }
        // the others go to the drop lists: sorted by index, cut by partition
        const drops = sorter(4, 4, 'drops');
        let root = -1;
        byRoot.sorted((buf, off) => {
          const r = buf.readUInt32BE(off);
          if (r === root) {
            const [b, o] = drops.slot();
            buf.copy(b, o, off + 16, off + 20);
          } else root = r;
        });
        byRoot.close();
        let dropped = 0;
        let pi = 0;
        let local: number[] = [];
        const flush = () => {
          const part = s.parts[pi];
          const h: DropHeader = { v: VERSION, key: part.key, n: part.n };
          writeColumns(out.file(`${part.key}.drop`), h, { drop: Uint32Array.from(local) });
          dropped += local.length;
          local = [];
          pi++;
        };
        drops.sorted((buf, off) => {
          const x = buf.readUInt32BE(off);
          while (x >= s.parts[pi].start + s.parts[pi].n) flush();
          local.push(x - s.parts[pi].start);
        });
        while (pi < s.parts.length) flush();
        return { pairs: m, nodes: nn, dropped, spilled: sorters.reduce((a, x) => a + x.spilled, 0) };
      } finally {
        for (const x of sorters) x.close();
        rmrf(spill);
      }
    },
  });
  return readCompletion(dir, 'dedup-clusters', 'run `vernacular run-stage dedup-clusters` first');
}

function readDrop(s: PlanSetup, part: SigPart): Uint8Array {
  const f = path.join(clustersDir(s), `${part.key}.drop`);
  const { header, columns } = readColumns<DropHeader>(f);
  if (header.key !== part.key || header.n !== part.n) throw new InputError(`${f}: stale drop list; re-run \`vernacular run-stage dedup-clusters\``);
  const dropped = new Uint8Array(part.n);
  for (const i of columns.drop as Uint32Array) dropped[i] = 1;
  return dropped;
}

interface CountsHeader {
  v: number;
  key: string;
  n: number;
  /** the signature file's authors (the `kAuthor` column indexes them) */
  authors: string[];
  segment: { [l: string]: number };
  locales: { [l: string]: { in: number; duplicates: number; docs: number; chars: number } };
}

const countsFile = (s: PlanSetup, part: SigPart) => path.join(countsDir(s), `${part.key}.bin`);

/**
 * `shards-counts` (partitioned over the signature files): per partition, what the reduce and
 * the sampler need of its kept docs — local index, locale, tie key, author — and the counts:
 * per locale (in, duplicates, kept docs, chars), per (author, locale) kept docs.
 */
export async function runShardsCounts(s: PlanSetup, clusters: CompletionIndex): Promise<CompletionIndex | undefined> {
  const dir = countsDir(s);
  await runPartitions<{ kept: number }>({
    stage: 'shards-counts',
    dir,
    version: VERSION,
    common: { locales: s.localeNames },
    partitions: s.parts.map((p) => ({ key: p.key, input: p.file, upstream: { sig: p.fingerprint, clusters: clusters.fingerprint }, weight: p.n || 1 })),
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const part = s.parts.find((x) => x.key === p.key)!;
      const { header: sh, columns: c } = readColumns<{ n: number; key: string; authors: string[]; segment: { [l: string]: number } }>(part.file);
      if (sh.n !== part.n) throw new InputError(`${part.file}: changed since the plan began; re-run \`vernacular run-stage signatures\``);
      const dropped = readDrop(s, part);
      const author = c.author as Uint32Array;
      const locale = c.locale as Uint8Array;
      const chars = c.chars as Uint32Array;
      const ties = c.ties as Uint32Array;
      const locales: CountsHeader['locales'] = {};
      const kLocal: number[] = [];
      const kLocale: number[] = [];
      const kTie: number[] = [];
      const kAuthor: number[] = [];
      const al = new Map<number, number>();
      for (let k = 0; k < part.n; k++) {
        const l = s.localeNames[locale[k]];
        const lc = (locales[l] ??= { in: 0, duplicates: 0, docs: 0, chars: 0 });
        lc.in++;
        if (dropped[k]) {
          lc.duplicates++;
          continue;
        }
        lc.docs++;
        lc.chars += chars[k];
        kLocal.push(k);
        kLocale.push(locale[k]);
        kTie.push(ties[k]);
        kAuthor.push(author[k]);
        const key = author[k] * 256 + locale[k];
        al.set(key, (al.get(key) ?? 0) + 1);
      }
      const keys = [...al.keys()].sort((a, b) => a - b);
      const header: CountsHeader = { v: VERSION, key: part.key, n: part.n, authors: sh.authors, segment: sh.segment, locales };
      writeColumns(out.file(`${part.key}.bin`), header, {
        kLocal: Uint32Array.from(kLocal),
        kLocale: Uint8Array.from(kLocale),
        kTie: Uint32Array.from(kTie),
        kAuthor: Uint32Array.from(kAuthor),
        acKey: Float64Array.from(keys),
        acCount: Uint32Array.from(keys, (x) => al.get(x)!),
      });
      return { kept: kLocal.length };
    },
  });
  return s.world === 1 ? readCompletion(dir, 'shards-counts', 'run `vernacular run-stage shards-counts` first') : undefined;
}

interface Counts {
  header: CountsHeader;
  kLocal: Uint32Array;
  kLocale: Uint8Array;
  kTie: Uint32Array;
  kAuthor: Uint32Array;
  acKey: Float64Array;
  acCount: Uint32Array;
}

function readCounts(s: PlanSetup, part: SigPart): Counts {
  const { header, columns: c } = readColumns<CountsHeader>(countsFile(s, part));
  if (header.key !== part.key || header.n !== part.n) throw new InputError(`${countsFile(s, part)}: stale counts; re-run \`vernacular run-stage shards-counts\``);
  return { header, kLocal: c.kLocal as Uint32Array, kLocale: c.kLocale as Uint8Array, kTie: c.kTie as Uint32Array, kAuthor: c.kAuthor as Uint32Array, acKey: c.acKey as Float64Array, acCount: c.acCount as Uint32Array };
}

/** What the quotas step decides: per-locale supply and targets, and the counts for the manifest. */
export interface Quotas {
  v: number;
  supply: { [l: string]: { docs: number; chars: number } };
  targets: { [l: string]: number };
  segment: { [l: string]: number };
  dedup: { [l: string]: { in: number; duplicates: number } };
  /** authors with kept docs, sorted; their split is the `split` column of authors.bin */
  authors: number;
}

const quotasFile = (s: PlanSetup) => path.join(quotasDir(s), 'quotas.json');
const authorsFile = (s: PlanSetup) => path.join(quotasDir(s), 'authors.bin');

/** The split rule's author order: `seededHash(seed, 'split', author)` of `assignSplits` (stage.ts). */
const splitHash = (seed: number, author: string) => createHash('sha256').update(`${seed}\0split\0${author}`).digest().readUInt32BE(0);

/**
 * `shards-quotas` (one task): sums the counts; per-locale targets (`planTargets`); the
 * author-disjoint split of every author with kept docs — `assignSplits`' rule, computed from
 * sorted streams so memory stays within the budget whatever the number of authors:
 *   1. the (author, locale, docs) counts of every partition, external-sorted by author then
 *      locale → per author its docs and primary locale (most docs, then smaller locale), its
 *      ordinal in name order (the table's row) and name written out as they come;
 *   2. (primary locale, split hash, ordinal, docs) external-sorted → per locale, authors in
 *      hash order each to the split furthest below its share (`assignSplits`' greedy);
 *   3. (ordinal, split) sorted back into row order → the table's split column.
 */
export async function runShardsQuotas(s: PlanSetup, counts: CompletionIndex): Promise<CompletionIndex> {
  const dir = quotasDir(s);
  await runPartitions<{ authors: number; spilled: number }>({
    stage: 'shards-quotas',
    dir,
    version: VERSION,
    common: { balance: s.balance, splits: s.splits, seed: s.seed },
    partitions: [{ key: 'all', input: countsDir(s), upstream: counts.fingerprint, weight: s.total || 1 }],
    rank: 0,
    world: 1,
    quiet: s.quiet,
    run: async (_p, out) => {
      const supply: Quotas['supply'] = {};
      const segment: Quotas['segment'] = {};
      const dedup: Quotas['dedup'] = {};
      const spill = spillDir(dir, 'all');
      // each sorter gets half the budget: two are alive at a time (one merging, the next filling)
      const budget = Math.floor(s.budget / 2);
      const unequal = () => new Error('shards-quotas: author pseudonyms of unequal length');
      let width = -1;
      let W = 0;
      let byAuthor: ExternalSorter | undefined;
      const sorters: ExternalSorter[] = [];
      const sorter = (o: { recordSize: number; keyBytes: number; sub: string }) => {
        const x = new ExternalSorter({ recordSize: o.recordSize, keyBytes: o.keyBytes, budget, dir: path.join(spill, o.sub) });
        sorters.push(x);
        return x;
      };
      try {
        for (const part of s.parts) {
          const c = readCounts(s, part);
          for (const [l, n] of Object.entries(c.header.segment)) segment[l] = (segment[l] ?? 0) + n;
          for (const [l, x] of Object.entries(c.header.locales)) {
            const d = (dedup[l] ??= { in: 0, duplicates: 0 });
            d.in += x.in;
            d.duplicates += x.duplicates;
            if (x.docs) {
              const sp = (supply[l] ??= { docs: 0, chars: 0 });
              sp.docs += x.docs;
              sp.chars += x.chars;
            }
          }
          let fa = -1;
          let name = '';
          for (let i = 0; i < c.acKey.length; i++) {
            const a = Math.floor(c.acKey[i] / 256);
            if (a !== fa) {
              fa = a;
              name = c.header.authors[a];
              if (width < 0) {
                width = name.length;
                // the key must be at least 4 bytes: pad short names with zeros (all alike, so the order holds)
                W = Math.max(width, 3);
                byAuthor = sorter({ recordSize: W + 5, keyBytes: W + 1, sub: 'a' });
              }
              if (name.length !== width || /[^\x20-\x7e]/.test(name)) throw unequal();
            }
            const [buf, off] = byAuthor!.slot();
            buf.fill(0, off, off + W);
            buf.write(name, off, 'latin1');
            buf[off + W] = c.acKey[i] % 256;
            buf.writeUInt32BE(c.acCount[i], off + W + 1);
          }
        }
        if (width < 0) width = 32;
        // 1. per author: docs, primary locale; rows in name order
        fs.mkdirSync(spill, { recursive: true });
        const idsFile = path.join(spill, 'ids.raw');
        const splitFile = path.join(spill, 'split.raw');
        const ids = new RawWriter(idsFile);
        const byLocale = sorter({ recordSize: 13, keyBytes: 9, sub: 'b' });
        const localeAuthors = new Float64Array(256);
        const localeDocs = new Float64Array(256);
        let rows = 0;
        const cur = Buffer.alloc(W);
        let has = false;
        let loc = -1;
        let locN = 0;
        let docs = 0;
        let primary = -1;
        let primaryN = 0;
        const endLocale = () => {
          docs += locN;
          // locales come in ascending order: a tie keeps the smaller
          if (primary < 0 || locN > primaryN) {
            primary = loc;
            primaryN = locN;
          }
        };
        const endAuthor = () => {
          endLocale();
          const [ib, io] = ids.slot(width);
          cur.copy(ib, io, 0, width);
          const [buf, off] = byLocale.slot();
          buf[off] = primary;
          buf.writeUInt32BE(splitHash(s.seed, cur.toString('latin1', 0, width)), off + 1);
          buf.writeUInt32BE(rows, off + 5);
          buf.writeUInt32BE(docs, off + 9);
          localeAuthors[primary]++;
          localeDocs[primary] += docs;
          rows++;
        };
        byAuthor?.sorted((buf, off) => {
          const l = buf[off + W];
          const n = buf.readUInt32BE(off + W + 1);
          if (!has || buf.compare(cur, 0, W, off, off + W) !== 0) {
            if (has) endAuthor();
            buf.copy(cur, 0, off, off + W);
            has = true;
            loc = l;
            locN = n;
            docs = 0;
            primary = -1;
            primaryN = 0;
          } else if (l !== loc) {
            endLocale();
            loc = l;
            locN = n;
          } else locN += n;
        });
        if (has) endAuthor();
        ids.close();
        byAuthor?.close();
        // 2. per primary locale, authors in split-hash order (then name: the row), the greedy
        const shares = [s.splits.train, s.splits.validation, s.splits.test];
        const bySplit = sorter({ recordSize: 5, keyBytes: 4, sub: 'c' });
        let at = -1;
        let i = 0;
        let got = [0, 0, 0];
        let seeded: number[] = [];
        let t = 0;
        byLocale.sorted((buf, off) => {
          const l = buf[off];
          if (l !== at) {
            at = l;
            i = 0;
            got = [0, 0, 0];
            t = localeDocs[l];
            seeded = localeAuthors[l] >= 3 ? [0, 1, 2].filter((k) => shares[k] > 0) : [];
          }
          const n = buf.readUInt32BE(off + 9);
          const pick = i < seeded.length ? seeded[seeded.length - 1 - i] : [0, 1, 2].reduce((best, k) => (shares[k] * t - got[k] > shares[best] * t - got[best] ? k : best), 0);
          got[pick] += n;
          i++;
          const [b, o] = bySplit.slot();
          buf.copy(b, o, off + 5, off + 9);
          b[o + 4] = pick;
        });
        byLocale.close();
        // 3. back into row order
        const split = new RawWriter(splitFile);
        bySplit.sorted((buf, off) => {
          const [b, o] = split.slot(1);
          b[o] = buf[off + 4];
        });
        split.close();
        writeColumnsFromFiles(out.file('authors.bin'), { v: VERSION, n: rows, width }, [
          { name: 'ids', type: 'u8', file: idsFile },
          { name: 'split', type: 'u8', file: splitFile },
        ]);
        const sorted = <T>(o: { [k: string]: T }) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        const q: Quotas = { v: VERSION, supply: sorted(supply), targets: planTargets(supply, s.balance), segment: sorted(segment), dedup: sorted(dedup), authors: rows };
        writeJsonAtomic(out.file('quotas.json'), q);
        return { authors: rows, spilled: sorters.reduce((a, x) => a + x.spilled, 0) };
      } finally {
        for (const x of sorters) x.close();
        rmrf(spill);
      }
    },
  });
  return readCompletion(dir, 'shards-quotas', 'run `vernacular run-stage shards-quotas` first');
}

export function readQuotas(s: PlanSetup): Quotas {
  const q = JSON.parse(fs.readFileSync(quotasFile(s), 'utf8')) as Quotas;
  if (q.v !== VERSION) throw new InputError(`${quotasFile(s)}: stale; re-run \`vernacular run-stage shards-quotas\``);
  return q;
}

/** The split table: sorted fixed-width author ids and their split, looked up by binary search. */
export class AuthorSplits {
  private ids: Buffer;
  private split: Uint8Array;
  private width: number;
  readonly n: number;
  constructor(s: PlanSetup) {
    const { header, columns } = readColumns<{ n: number; width: number }>(authorsFile(s));
    const u8 = columns.ids as Uint8Array;
    this.ids = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    this.split = columns.split as Uint8Array;
    this.width = header.width;
    this.n = header.n;
  }
  /** The author's split (0 train, 1 validation, 2 test); 0 for an author without kept docs (as the in-memory plan). */
  of(author: string): number {
    const w = this.width;
    const key = Buffer.from(author, 'latin1');
    if (key.length !== w) return 0;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.ids.compare(key, 0, w, mid * w, mid * w + w);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return this.split[mid];
    }
    return 0;
  }
}

/** A point in the sampler's scan: pass, tie key, doc index (compared in that order). */
type Event = [number, number, number];
const before = (a: Event, b: Event) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One locale's sample: where the scan stopped (null: nothing taken; 'all': never reached the target) and where capped authors reached the cap. */
export interface LocaleSample {
  v: number;
  locale: string;
  maxRepeat: number;
  stop: Event | 'all' | null;
  caps: Array<{ author: string; at: Event }>;
  plan: LocalePlan;
}

/**
 * `shards-sample` (partitioned over locales): `sampleLocale`'s scan — candidates in tie-key
 * order, authors at the cap skipped, further passes while short and `max_repeat` allows — without
 * a per-author counter. Before the stop every candidate below the cap is taken, so an author's
 * r-th event (r = (pass − 1) · m + j for its j-th doc in tie-key order, m its docs in the locale)
 * is taken iff r < cap: (1) the locale's (author, tie key, index) records and the per-author
 * counts, external-sorted by author, give every doc its j and m (docs with j ≥ cap are never
 * taken and go no further); (2) those (tie key, index, j, m, author) external-sorted by tie key
 * are scanned pass by pass. What it keeps is small: the last take (the stop) and each capped
 * author's cap-th take. A doc's takes are then the passes p whose event (p, tie, index) is at or
 * before both.
 */
export async function runShardsSample(s: PlanSetup, quotas: CompletionIndex): Promise<CompletionIndex | undefined> {
  const q = readQuotas(s);
  const dir = sampleDir(s);
  const locales = Object.keys(q.supply).sort();
  await runPartitions<{ records: number; spilled: number; runs: number }>({
    stage: 'shards-sample',
    dir,
    version: VERSION,
    common: { balance: s.balance, seed: s.seed },
    partitions: locales.map((l) => ({ key: l, input: countsDir(s), upstream: quotas.fingerprint, weight: q.supply[l].docs || 1 })),
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const l = p.key;
      const li = s.localeNames.indexOf(l);
      const target = q.targets[l];
      const b = s.balance;
      const cap = Math.max(1, Math.floor(b.author_cap * target));
      const spill = spillDir(dir, p.key);
      // two sorters alive at a time (the first merging while the second fills): half the budget each
      const budget = Math.floor(s.budget / 2);
      let width = -1;
      let W = 0;
      let byAuthor: ExternalSorter | undefined;
      let byTie: ExternalSorter | undefined;
      let cands = 0;
      try {
        // 1. (author, 0, count) per (author, locale) count and (author, 1, tie, index) per doc
        for (const part of s.parts) {
          const c = readCounts(s, part);
          const rec = (fa: number): [Buffer, number] => {
            const name = c.header.authors[fa];
            if (width < 0) {
              width = name.length;
              W = Math.max(width, 3);
              byAuthor = new ExternalSorter({ recordSize: W + 9, keyBytes: W + 9, budget, dir: path.join(spill, 'a') });
            }
            if (name.length !== width) throw new InputError(`${countsFile(s, part)}: author pseudonyms of unequal length`);
            const [buf, off] = byAuthor!.slot();
            buf.fill(0, off, off + W);
            buf.write(name, off, 'latin1');
            return [buf, off];
          };
          for (let i = 0; i < c.acKey.length; i++) {
            if (c.acKey[i] % 256 !== li) continue;
            const [buf, off] = rec(Math.floor(c.acKey[i] / 256));
            buf[off + W] = 0;
            buf.writeUInt32BE(c.acCount[i], off + W + 1);
            buf.writeUInt32BE(0, off + W + 5);
          }
          for (let k = 0; k < c.kLocal.length; k++) {
            if (c.kLocale[k] !== li) continue;
            const [buf, off] = rec(c.kAuthor[k]);
            buf[off + W] = 1;
            buf.writeUInt32BE(c.kTie[k], off + W + 1);
            buf.writeUInt32BE(part.start + c.kLocal[k], off + W + 5);
          }
        }
        // (tie, index, j, m, author): the author's name only for the cap events
        const tie = (byTie = new ExternalSorter({ recordSize: 16 + Math.max(width, 0), keyBytes: 8, budget, dir: path.join(spill, 't') }));
        // per author: m from its counts, then its docs in (tie, index) order; those below the cap go on
        let m = 0;
        let j = 0;
        let capped = 0;
        const cur = Buffer.alloc(W);
        let has = false;
        const endAuthor = () => {
          if (j !== m) throw new InputError(`${countsDir(s)}: counts and kept docs disagree for an author of ${l}; re-run \`vernacular run-stage shards-counts\``);
          capped += Math.max(0, m * b.max_repeat - cap);
        };
        byAuthor?.sorted((buf, off) => {
          if (!has || buf.compare(cur, 0, W, off, off + W) !== 0) {
            if (has) endAuthor();
            buf.copy(cur, 0, off, off + W);
            has = true;
            m = 0;
            j = 0;
          }
          if (buf[off + W] === 0) {
            m += buf.readUInt32BE(off + W + 1);
            return;
          }
          cands++;
          if (j < cap) {
            const [tb, to] = tie.slot();
            buf.copy(tb, to, off + W + 1, off + W + 9);
            tb.writeUInt32LE(j, to + 8);
            tb.writeUInt32LE(m, to + 12);
            buf.copy(tb, to + 16, off, off + width);
          }
          j++;
        });
        if (has) endAuthor();
        byAuthor?.close();
        // 2. the scan: in pass p, the author's r-th event (r = (p − 1) · m + j) is taken iff r < cap
        let n = 0;
        let firsts = 0;
        let stop: Event | null = null;
        const caps: LocaleSample['caps'] = [];
        for (let pass = 1; pass <= b.max_repeat && n < target; pass++) {
          tie.sorted((buf, off) => {
            if (n >= target) return;
            const r = (pass - 1) * buf.readUInt32LE(off + 12) + buf.readUInt32LE(off + 8);
            if (r >= cap) return;
            const ev: Event = [pass, buf.readUInt32BE(off), buf.readUInt32BE(off + 4)];
            if (r === cap - 1) caps.push({ author: buf.toString('latin1', off + 16, off + 16 + width), at: ev });
            if (pass === 1) firsts++;
            n++;
            stop = ev;
          });
        }
        let shortfall: string | undefined;
        if (n < target) {
          // every pass ran to its end: each doc event not taken was skipped for the cap
          const maxPossible = cands * b.max_repeat;
          shortfall = maxPossible < target ? `only ${cands} docs available (× max_repeat ${b.max_repeat} = ${maxPossible})` : `author cap ${Math.round(b.author_cap * 100)}% (${cap} docs per author) skipped ${capped} docs`;
        }
        const plan: LocalePlan = { available: q.supply[l].docs, target, achieved: n, repeated: n - firsts, shortfall };
        const res: LocaleSample = { v: VERSION, locale: l, maxRepeat: b.max_repeat, stop: n < target ? 'all' : stop, caps, plan };
        writeJsonAtomic(out.file(`${l}.json`), res);
        return { records: cands, spilled: (byAuthor?.spilled ?? 0) + tie.spilled, runs: (byAuthor?.runCount ?? 0) + tie.runCount };
      } finally {
        byAuthor?.close();
        byTie?.close();
        rmrf(spill);
      }
    },
  });
  return s.world === 1 ? readCompletion(dir, 'shards-sample', 'run `vernacular run-stage shards-sample` first') : undefined;
}

export function readSamples(s: PlanSetup): Map<string, LocaleSample> {
  const q = readQuotas(s);
  const out = new Map<string, LocaleSample>();
  for (const l of Object.keys(q.supply).sort()) {
    const f = path.join(sampleDir(s), `${l}.json`);
    const x = JSON.parse(fs.readFileSync(f, 'utf8')) as LocaleSample;
    if (x.v !== VERSION || x.locale !== l) throw new InputError(`${f}: stale sample; re-run \`vernacular run-stage shards-sample\``);
    out.set(l, x);
  }
  return out;
}

/** The small tables the write step decides from. */
export interface PlanTables {
  splits: AuthorSplits;
  samples: Map<number, { stop: Event | 'all' | null; maxRepeat: number; caps: Map<string, Event> }>;
}

export function planTables(s: PlanSetup): PlanTables {
  const samples: PlanTables['samples'] = new Map();
  for (const [l, x] of readSamples(s)) samples.set(s.localeNames.indexOf(l), { stop: x.stop, maxRepeat: x.maxRepeat, caps: new Map(x.caps.map((c) => [c.author, c.at])) });
  return { splits: new AuthorSplits(s), samples };
}

/**
 * Per doc of one partition: how many times it is taken and its split, from its tie key
 * (`hash(seed, doc)`), its index, its author and the tables — the same columns the in-memory
 * plan writes per partition.
 */
export function docPlan(s: PlanSetup, part: SigPart, t: PlanTables): { times: Uint8Array; split: Uint8Array } {
  const c = readCounts(s, part);
  const times = new Uint8Array(part.n);
  const split = new Uint8Array(part.n);
  // every doc's split follows its author (dropped docs too, as the in-memory plan writes them)
  const sig = readColumns<{ n: number }>(part.file).columns.author as Uint32Array;
  const ofAuthor = Int16Array.from(c.header.authors, () => -1);
  for (let k = 0; k < part.n; k++) {
    const a = sig[k];
    if (ofAuthor[a] < 0) ofAuthor[a] = t.splits.of(c.header.authors[a]);
    split[k] = ofAuthor[a];
  }
  for (let k = 0; k < c.kLocal.length; k++) {
    const smp = t.samples.get(c.kLocale[k]);
    if (!smp || smp.stop === null) continue;
    const pos: Event = [0, c.kTie[k], part.start + c.kLocal[k]];
    let limit: Event | 'all' = smp.stop;
    const capAt = smp.caps.get(c.header.authors[c.kAuthor[k]]);
    if (capAt && (limit === 'all' || before(capAt, limit) < 0)) limit = capAt;
    let n = 0;
    if (limit === 'all') n = smp.maxRepeat;
    else {
      // passes 1 .. limit's pass - 1 take it; limit's own pass if it comes at or before the limit
      n = limit[0] - 1 + (before([limit[0], pos[1], pos[2]], limit) <= 0 ? 1 : 0);
    }
    times[c.kLocal[k]] = n;
  }
  return { times, split };
}

/** Bytes per doc the dedup steps read from the signatures (what the in-memory index held). */
export const sigBytesPerDoc = (p: DedupParams) => p.numPerm * 4 + p.bands * 4 + 8 + 8 + 4 + 1 + 4;

/** A fingerprint of the whole plan: what the write step is built from. */
export const planFingerprint = (sample: CompletionIndex, quotas: CompletionIndex) => stableHash({ v: VERSION, sample: sample.fingerprint, quotas: quotas.fingerprint });
