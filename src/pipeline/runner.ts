import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { Progress } from './progress.js';
import { myPartitions, stableHash } from './stage.js';

/**
 * The one partition runner every partitioned step uses (filter, segment, features, signatures,
 * shards-write). It owns the rules that make a rebuild trustworthy:
 *
 * - A partition's **fingerprint** covers what it was built from: the stage and its version, the
 *   code that ran, the config sections and registry the step reads (`common`), and its upstream
 *   (the upstream marker's fingerprint, or an input file's identity). A marker whose fingerprint
 *   differs is stale: the partition runs again, and the files its old marker lists are deleted
 *   first, so an output the new run does not write (a locale that lost its last doc) cannot stay.
 * - A **marker** (`<dir>/_done/<key>.json`) lists every file the partition wrote; a marker that
 *   does not validate, or whose files are gone, counts as absent.
 * - Downstream steps read the files the upstream's **completion index** (`<dir>/_complete.json`)
 *   lists, never a directory listing, so a stale file can never be picked up. The index is
 *   removed when any rank of the step starts and written by the `--world 1` pass once every
 *   partition is done.
 * - The `--world 1` pass deletes what the current partitions do not claim: markers of partitions
 *   the upstream no longer produces, their files, files of interrupted runs and `.tmp-<pid>` files.
 * - A step whose partitions depend on each other (filter: a record in one file can exclude a copy
 *   in another) runs every partition on its own first, and its `resolve` hook, in the `--world 1`
 *   pass once every partition is done, says which partitions must be built again against what
 *   (a digest and a value). Such a partition runs again from its input (never from its resolved
 *   outputs) with that value, and its marker records the digest (`resolved`): a later pass with
 *   the same digest keeps it, one with another digest (or none) runs it again. A rank's skip
 *   looks at the fingerprint only (what the partition is built from); the resolution is checked
 *   again by the next `--world 1` pass, before the completion index, which lists each partition's
 *   fingerprint with its resolution, is written: no later step can see an unresolved partition.
 */

/** One unit of work: an input and the key that names its marker. */
export interface Partition {
  /** a stable, filesystem-safe name (`part-00003`, `de-AT/part-00003`) */
  key: string;
  /** the input's absolute path */
  input: string;
  /** what the partition is built from (upstream marker fingerprint, or an input file's identity) */
  upstream: unknown;
  /** work units for progress (bytes of input) */
  weight: number;
}

/** An output file of a partition, relative to the step's folder. */
export interface OutputFile {
  path: string;
  bytes: number;
}

export interface Marker<S> {
  v: typeof MARKER_VERSION;
  stage: string;
  key: string;
  fingerprint: string;
  /** the digest of what the partition was resolved against (see `RunSpec.resolve`), if anything */
  resolved?: string;
  outputs: OutputFile[];
  stats: S;
}

/** What a completed step leaves for the steps after it. */
export interface CompletionIndex {
  v: typeof MARKER_VERSION;
  stage: string;
  /** one hash of every partition's fingerprint, in order */
  fingerprint: string;
  partitions: Array<{ key: string; fingerprint: string; outputs: OutputFile[] }>;
}

const MARKER_VERSION = 2;
const KEY = /^[A-Za-z0-9=][\w.=@+-]*(\/[A-Za-z0-9=][\w.=@+-]*)*$/;

/** Where a partition's outputs are declared: `file(rel)` claims a path and returns where to write it. */
export interface PartitionOutputs {
  /** the step's folder */
  readonly dir: string;
  /** claim `rel` (relative to the step's folder) as an output of this partition; returns its absolute path */
  file(rel: string): string;
}

/** What `resolve` asks of one partition: run again with `value`; `digest` names it in the marker. */
export interface Resolution<R> {
  digest: string;
  value: R;
}

export interface RunSpec<S, R = never> {
  /** the step's name (for markers and messages) */
  stage: string;
  /** the step's folder: markers, outputs and the completion index live under it */
  dir: string;
  /** bump when the step's output format changes (the code hash covers the rest) */
  version: number;
  /** what every partition reads besides its input: config sections, registry hashes, data hashes */
  common: unknown;
  partitions: readonly Partition[];
  rank: number;
  world: number;
  /** names directly under `dir` that are the step's own summaries, not partition outputs */
  keep?: readonly string[];
  quiet?: boolean;
  /** progress label (default: the stage) */
  label?: string;
  /** build one partition; write only to paths from `out.file`; `resolution` only when `resolve` asked for one */
  run: (p: Partition, out: PartitionOutputs, progress: Progress, resolution?: R) => Promise<S>;
  /**
   * `--world 1` only, once every partition is done (all markers, in partition order): the
   * partitions to build against something the others say, by key. A partition not named is
   * built on its own (as the ranks built it).
   */
  resolve?: (markers: ReadonlyArray<Marker<S>>) => Promise<ReadonlyMap<string, Resolution<R>>>;
}

export interface RunResult<S> {
  /** markers of this rank's partitions (all partitions when world is 1), in partition order */
  markers: Array<Marker<S>>;
  ran: number;
  skipped: number;
}

let codeHash: string | undefined;

/**
 * A hash of the code that runs (every module of this build, from dist/ or src/): a changed line of
 * code re-runs what it could have changed, not only what a version number remembers.
 */
export function codeVersion(): string {
  if (codeHash) return codeHash;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts|mjs|json|ya?ml)$/.test(e.name) && !e.name.endsWith('.map')) h.update(path.relative(root, p)).update('\0').update(fs.readFileSync(p)).update('\0');
    }
  };
  walk(root);
  codeHash = h.digest('hex');
  return codeHash;
}

const markerFile = (dir: string, key: string) => path.join(dir, '_done', `${key}.json`);
const indexFile = (dir: string) => path.join(dir, '_complete.json');

/** A path inside `dir`, or an error: marker contents never point outside their step. */
function inside(dir: string, rel: string): string {
  const p = path.resolve(dir, rel);
  if (path.isAbsolute(rel) || !p.startsWith(path.resolve(dir) + path.sep)) throw new InputError(`${dir}: output path '${rel}' escapes the step's folder`);
  return p;
}

/** Validate a marker read from disk (anything else counts as absent). */
function parseMarker<S>(raw: unknown, stage: string, key: string): Marker<S> | undefined {
  const m = raw as Marker<S>;
  if (!m || typeof m !== 'object' || m.v !== MARKER_VERSION || m.stage !== stage || m.key !== key) return undefined;
  if (typeof m.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(m.fingerprint) || !Array.isArray(m.outputs) || m.stats === undefined) return undefined;
  if (m.resolved !== undefined && (typeof m.resolved !== 'string' || !/^[0-9a-f]{64}$/.test(m.resolved))) return undefined;
  for (const o of m.outputs) if (!o || typeof o.path !== 'string' || typeof o.bytes !== 'number' || o.path.startsWith('/') || o.path.split('/').includes('..')) return undefined;
  return m;
}

function readMarker<S>(dir: string, stage: string, key: string): Marker<S> | undefined {
  try {
    return parseMarker<S>(JSON.parse(fs.readFileSync(markerFile(dir, key), 'utf8')), stage, key);
  } catch {
    return undefined;
  }
}

/** Remove a partition's files and its marker (the marker first: a crash in between leaves files no marker claims, which the next merge pass removes). */
function dropPartition(dir: string, key: string, outputs: readonly OutputFile[]): void {
  fs.rmSync(markerFile(dir, key), { force: true });
  for (const o of outputs) fs.rmSync(inside(dir, o.path), { force: true });
}

/** Run a step's partitions `i ≡ rank (mod world)`; see the module comment for the rules. */
export async function runPartitions<S, R = never>(spec: RunSpec<S, R>): Promise<RunResult<S>> {
  const { dir, stage } = spec;
  const keys = new Set<string>();
  for (const p of spec.partitions) {
    if (!KEY.test(p.key)) throw new Error(`${stage}: partition key '${p.key}' is not a safe name`);
    if (keys.has(p.key)) throw new Error(`${stage}: two partitions named '${p.key}'`);
    keys.add(p.key);
  }
  fs.mkdirSync(dir, { recursive: true });
  // whatever this run changes, the old index no longer vouches for it
  fs.rmSync(indexFile(dir), { force: true });
  const code = codeVersion();
  const common = stableHash({ stage, version: spec.version, code, common: spec.common });
  const mine = myPartitions(spec.partitions.length, spec.rank, spec.world).map((i) => spec.partitions[i]);
  const progress = new Progress(spec.label ?? stage, mine.reduce((s, p) => s + p.weight, 0), { quiet: spec.quiet });
  const markers: Array<Marker<S>> = [];
  let ran = 0;
  let skipped = 0;
  try {
    for (const p of mine) {
      const fingerprint = stableHash({ common, key: p.key, upstream: p.upstream });
      const old = readMarker<S>(dir, stage, p.key);
      if (old && old.fingerprint === fingerprint && old.outputs.every((o) => fs.existsSync(inside(dir, o.path)))) {
        markers.push(old);
        progress.tick(p.weight);
        skipped++;
        continue;
      }
      markers.push(await build(p, fingerprint, old, progress));
      ran++;
    }
  } finally {
    progress.end();
  }
  if (spec.world === 1 && spec.resolve) {
    // every partition is done: resolve what depends on the others, before anything is removed or listed
    const want = await spec.resolve(markers);
    for (const k of want.keys()) if (!keys.has(k)) throw new Error(`${stage}: resolve names '${k}', not a partition`);
    const again = spec.partitions.filter((p, i) => markers[i].resolved !== want.get(p.key)?.digest);
    const rp = new Progress(`${spec.label ?? stage} (resolve)`, again.reduce((s, p) => s + p.weight, 0), { quiet: spec.quiet });
    try {
      for (const p of again) {
        const i = spec.partitions.indexOf(p);
        markers[i] = await build(p, markers[i].fingerprint, markers[i], rp, want.get(p.key));
        ran++;
      }
    } finally {
      rp.end();
    }
  }
  if (spec.world === 1) {
    collectGarbage(dir, stage, keys, markers, spec.keep ?? []);
    const index: CompletionIndex = {
      v: MARKER_VERSION,
      stage,
      fingerprint: stableHash(markers.map((m) => [m.key, effective(m)])),
      partitions: markers.map((m) => ({ key: m.key, fingerprint: effective(m), outputs: m.outputs })),
    };
    writeJsonAtomic(indexFile(dir), index);
  }
  return { markers, ran, skipped };

  /** Build `p` from its input (after removing what `old` lists), against `resolution` if given; write its marker. */
  async function build(p: Partition, fingerprint: string, old: Marker<S> | undefined, progress: Progress, resolution?: Resolution<R>): Promise<Marker<S>> {
    if (old) dropPartition(dir, p.key, old.outputs);
    else fs.rmSync(markerFile(dir, p.key), { force: true });
    const claimed = new Set<string>();
    const out: PartitionOutputs = {
      dir,
      file(rel: string) {
        const norm = rel.split(path.sep).join('/');
        const abs = inside(dir, norm);
        claimed.add(norm);
        return abs;
      },
    };
    const before = progress.done;
    const stats = resolution ? await spec.run(p, out, progress, resolution.value) : await spec.run(p, out, progress);
    progress.tick(Math.max(0, p.weight - (progress.done - before)));
    const outputs: OutputFile[] = [];
    for (const rel of [...claimed].sort()) {
      const abs = inside(dir, rel);
      // a claimed name the partition did not end up writing (nothing to write) is not an output
      if (fs.existsSync(abs)) outputs.push({ path: rel, bytes: fs.statSync(abs).size });
    }
    const marker: Marker<S> = resolution ? { v: MARKER_VERSION, stage, key: p.key, fingerprint, resolved: resolution.digest, outputs, stats } : { v: MARKER_VERSION, stage, key: p.key, fingerprint, outputs, stats };
    writeJsonAtomic(markerFile(dir, p.key), marker);
    return marker;
  }
}

/** What a later step is built from: the fingerprint, with the resolution when there is one. */
const effective = (m: Marker<unknown>): string => (m.resolved === undefined ? m.fingerprint : stableHash({ fingerprint: m.fingerprint, resolved: m.resolved }));

/**
 * After every partition is done (world 1): delete markers of partitions that no longer exist
 * with their files, then every file under `dir` that no current marker claims (files of
 * interrupted runs, `.tmp-<pid>` files), and empty folders.
 */
function collectGarbage<S>(dir: string, stage: string, keys: ReadonlySet<string>, current: ReadonlyArray<Marker<S>>, keep: readonly string[]): void {
  const doneDir = path.join(dir, '_done');
  for (const f of walkFiles(doneDir)) {
    const key = path.relative(doneDir, f).split(path.sep).join('/').replace(/\.json$/, '');
    if (keys.has(key) && f.endsWith('.json')) continue;
    const m = f.endsWith('.json') ? readMarker<S>(dir, stage, key) : undefined;
    if (m) dropPartition(dir, key, m.outputs);
    fs.rmSync(f, { force: true });
  }
  const claimed = new Set(current.flatMap((m) => m.outputs.map((o) => inside(dir, o.path))));
  const keepAbs = new Set([doneDir, indexFile(dir), ...keep.map((k) => path.join(dir, k))]);
  const sweep = (d: string): boolean => {
    let empty = true;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (keepAbs.has(p)) {
        if (p === doneDir) removeEmptyDirs(p);
        empty = false;
        continue;
      }
      if (e.isDirectory()) {
        if (sweep(p)) fs.rmdirSync(p);
        else empty = false;
      } else if (claimed.has(p)) empty = false;
      else fs.rmSync(p, { force: true });
    }
    return empty;
  };
  if (fs.existsSync(dir)) sweep(dir);
}

function removeEmptyDirs(d: string): boolean {
  let empty = true;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory() && removeEmptyDirs(p)) fs.rmdirSync(p);
    else empty = false;
  }
  return empty;
}

function walkFiles(d: string): string[] {
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkFiles(path.join(d, e.name)) : [path.join(d, e.name)]));
}

/** The completion index of a step, or an input error saying what to run. */
export function readCompletion(dir: string, stage: string, hint: string): CompletionIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(indexFile(dir), 'utf8'));
  } catch {
    throw new InputError(`${stage}: no completed output under ${dir} (${hint})`);
  }
  const ix = raw as CompletionIndex;
  if (!ix || ix.v !== MARKER_VERSION || ix.stage !== stage || !Array.isArray(ix.partitions) || typeof ix.fingerprint !== 'string') throw new InputError(`${indexFile(dir)}: not a completion index of ${stage} (${hint})`);
  for (const p of ix.partitions) {
    if (!p || typeof p.key !== 'string' || !KEY.test(p.key) || typeof p.fingerprint !== 'string' || !Array.isArray(p.outputs)) throw new InputError(`${indexFile(dir)}: damaged entry (${hint})`);
    for (const o of p.outputs) {
      const abs = inside(dir, o.path);
      if (!fs.existsSync(abs)) throw new InputError(`${stage}: ${abs} is listed as done but missing (${hint})`);
    }
  }
  return ix;
}

/**
 * The partitions a step builds from an upstream step's outputs under `prefix` (e.g. `docs/`):
 * one per output file, keyed by its path under `prefix` without the extension, built from the
 * upstream partition's fingerprint.
 */
export function partitionsFrom(upstream: CompletionIndex, dir: string, prefix: string): Partition[] {
  const out: Partition[] = [];
  for (const p of upstream.partitions)
    for (const o of p.outputs) {
      if (!o.path.startsWith(prefix)) continue;
      const rel = o.path.slice(prefix.length);
      out.push({ key: rel.replace(/\.jsonl(\.gz|\.zst)?$|\.bin$/, ''), input: path.join(dir, o.path), upstream: { from: p.fingerprint, file: o.path }, weight: o.bytes });
    }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
