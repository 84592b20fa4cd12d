import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Doc } from '../doc.js';
import type { Config } from '../config/schema.js';
import type { StageContext } from '../pipeline/stage.js';
import { stableHash } from '../pipeline/stage.js';
import { readDocs, stageFiles } from '../io/docs.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { expandInputs } from '../io/inputs.js';
import { toBcp47 } from '../segment/codes.js';
import { FeatureExtractor } from '../features/extract.js';
import { toolVersion } from '../paths.js';
import { DedupIndex } from './dedupe.js';
import { scrubPii, type PiiType } from './pii.js';
import { planTargets, sampleLocale, type Candidate, type LocalePlan } from './balance.js';
import { loadZstd, ShardSet, rmrf, type ShardDoc, type ShardFile } from './writer.js';
import { datasetCard } from './card.js';

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
export function assignSplits(seed: number, authors: readonly string[], docsByAuthorLocale: Map<number, number>, s: { train: number; validation: number; test: number }): Uint8Array {
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
    pii: { [type: string]: number };
  };
  dedup_index_bytes_per_doc: number;
  shards: ShardFile[];
  parent: null | { manifest_sha256: string; path: string };
  revocations?: unknown[];
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

/**
 * The `shards` stage: dedup across the whole build, balance plan per locale, author-disjoint
 * splits, PII scrub, pseudonyms, and the shard files with their dataset card and manifest.
 * Two passes over the features output: the first keeps ~100 bytes per doc (plus the dedup
 * index), the second streams docs into the writers. Output is built in a staging folder and
 * renamed into `<out>/shards` at the end, so an interrupted build never leaves shards that look
 * whole, and a re-run produces the same bytes.
 */
export async function runShards(ctx: StageContext, opts: { dirName?: string; balance?: Config['shards']['balance'] } = {}): Promise<{ manifest: Manifest; dir: string }> {
  const { config, baseDir } = ctx.loaded;
  const sc = opts.balance ? { ...config.shards, balance: opts.balance } : config.shards;
  const dirName = opts.dirName ?? 'shards';
  const root = path.join(ctx.out, 'features', 'docs');
  const inputs = stageFiles(root);
  if (!inputs.length) throw new InputError(`shards: no features output under ${root} (run \`vernacular features\` first)`);
  const configured = new Set(config.segment.locales);
  const compression = sc.compression === 'zst' && !loadZstd() ? 'gz' : sc.compression;
  if (compression !== sc.compression) ctx.log('warning: zstd-napi is not built here; writing gzip instead (the manifest records it)');

  // Pass 1: columnar records (no per-doc objects) + the dedup index.
  // the segment report says how many docs are coming: size the index once
  const segReport = readJson(path.join(ctx.out, 'segment', 'report.json')) as { byLocale?: { [l: string]: number } } | null;
  const expected = Object.entries(segReport?.byLocale ?? {}).reduce((s, [l, n]) => s + (configured.has(l) ? n : 0), 0);
  const dedup = new DedupIndex({ shingle: sc.dedup.shingle, numPerm: sc.dedup.num_perm, bands: sc.dedup.bands, threshold: sc.dedup.threshold, minChars: sc.dedup.min_chars }, false, expected || 1024);
  const authorIndex = new Map<string, number>();
  const authors: string[] = [];
  const localeNames = [...configured].sort();
  const localeIndex = new Map(localeNames.map((l, i) => [l, i]));
  const recAuthor: number[] = [];
  const recLocale: number[] = [];
  const recChars: number[] = [];
  const recKey: number[] = [];
  const segmentCounts: { [l: string]: number } = {};
  for (const f of inputs) {
    for await (const docs of readDocs(f)) {
      for (const d of docs) {
        const locale = d.locale ?? 'und';
        segmentCounts[locale] = (segmentCounts[locale] ?? 0) + 1;
        const li = localeIndex.get(locale);
        if (li === undefined) continue;
        const pid = keyedHash(ctx.secret, 'doc', d.id);
        const author = keyedHash(ctx.secret, 'author', d.authorId);
        let ai = authorIndex.get(author);
        if (ai === undefined) {
          ai = authors.push(author) - 1;
          authorIndex.set(author, ai);
        }
        const key = seededHash(config.seed, 'sample', pid);
        recAuthor.push(ai);
        recLocale.push(li);
        recChars.push(d.text.length);
        recKey.push(key);
        dedup.add({ id: pid, createdAt: d.createdAt, text: d.text, tie: key });
      }
    }
  }
  const dupOf = dedup.duplicateOf();

  // Plan and sample per locale.
  const supply: { [l: string]: { docs: number; chars: number } } = {};
  const dedupCounts: { [l: string]: { in: number; duplicates: number } } = {};
  const byLocale = new Map<string, Candidate[]>();
  const authorLocales = new Map<number, number>(); // author·256 + locale → docs
  for (let index = 0; index < recKey.length; index++) {
    const locale = localeNames[recLocale[index]];
    const dc = (dedupCounts[locale] ??= { in: 0, duplicates: 0 });
    dc.in++;
    if (dupOf[index] >= 0) {
      dc.duplicates++;
      continue;
    }
    const sp = (supply[locale] ??= { docs: 0, chars: 0 });
    sp.docs++;
    sp.chars += recChars[index];
    const author = authors[recAuthor[index]];
    (byLocale.get(locale) ?? byLocale.set(locale, []).get(locale)!).push({ key: recKey[index], author, index });
    const k = recAuthor[index] * 256 + recLocale[index];
    authorLocales.set(k, (authorLocales.get(k) ?? 0) + 1);
  }
  if (localeNames.length > 64) throw new InputError('shards: at most 64 configured locales per build');
  const splitOfAuthor = assignSplits(config.seed, authors, authorLocales, sc.splits);
  const targets = planTargets(supply, sc.balance);
  const plan: { [l: string]: LocalePlan } = {};
  const take = new Map<number, number>();
  for (const l of Object.keys(supply).sort()) {
    const r = sampleLocale(byLocale.get(l)!, targets[l], sc.balance);
    plan[l] = { available: supply[l].docs, target: targets[l], ...r.plan };
    for (const [i, k] of r.take) take.set(i, k);
  }

  // Pass 2: scrub, pseudonymise, re-extract features on the scrubbed text, write.
  const staging = path.join(ctx.out, `.${dirName}.staging-${process.pid}`);
  for (const e of fs.existsSync(ctx.out) ? fs.readdirSync(ctx.out) : []) if (e.startsWith(`.${dirName}.staging-`)) rmrf(path.join(ctx.out, e));
  const fx = await FeatureExtractor.create();
  const sets = new Map<string, ShardSet>();
  const splits: { [l: string]: { [s: string]: number } } = {};
  const pii: { [t: string]: number } = {};
  let index = 0;
  for (const f of inputs) {
    for await (const docs of readDocs(f)) {
      for (const d of docs as Doc[]) {
        const locale = d.locale ?? 'und';
        if (!configured.has(locale)) continue;
        const i = index++;
        const times = take.get(i);
        if (!times) continue;
        const pid = keyedHash(ctx.secret, 'doc', d.id);
        const author = authors[recAuthor[i]];
        const { text, counts } = scrubPii(d.text, d.country);
        for (const [t, n] of Object.entries(counts) as Array<[PiiType, number]>) pii[t] = (pii[t] ?? 0) + n;
        const split = SPLITS[splitOfAuthor[recAuthor[i]]];
        const { hits } = fx.extract(text, d.lang?.code ?? 'und', locale);
        const key = `${split}/${locale}`;
        let set = sets.get(key);
        if (!set) {
          set = new ShardSet(staging, split, locale, { formats: sc.formats, compression, shardDocs: sc.shard_docs });
          sets.set(key, set);
        }
        for (let k = 0; k < times; k++) {
          set.add({
            id: k ? `${pid}~${k}` : pid,
            text,
            locale,
            lang: toBcp47(d.lang?.code ?? 'und'),
            author,
            time: coarseTime(d.createdAt, sc.time_granularity),
            kind: d.kind,
            split,
            features: hits.map((h) => ({ feature: h.feature, category: h.category, span: h.span, confidence: h.confidence })),
          });
          (splits[locale] ??= {})[split] = (splits[locale][split] ?? 0) + 1;
        }
      }
    }
  }
  const files: ShardFile[] = [];
  for (const key of [...sets.keys()].sort()) {
    const s = sets.get(key)!;
    s.flush();
    files.push(...s.files);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const filterStats = readJson(path.join(ctx.out, 'filter', 'stats.json'));
  const registryHashes: string[] = (filterStats as { registry?: { hashes?: string[] } })?.registry?.hashes ?? [];
  const manifest: Manifest = {
    tool: { name: 'vernacular', version: toolVersion() },
    seed: config.seed,
    config_sha256: stableHash(config),
    policy_sha256: stableHash(config.policy),
    objections: { sha256: registryHashes, as_of: (filterStats as { registry?: { asOf?: string } })?.registry?.asOf ?? null },
    inputs: expandInputs(config, baseDir).map((f) => ({ path: path.relative(baseDir, f.path).split(path.sep).join('/'), bytes: f.bytes, sha256: fileSha(f.path) })),
    params: { dedup: sc.dedup, balance: sc.balance, splits: sc.splits, time_granularity: sc.time_granularity, formats: sc.formats, compression, shard_docs: sc.shard_docs },
    counts: {
      filter: (filterStats as { funnel?: unknown })?.funnel ?? null,
      segment: Object.fromEntries(Object.entries(segmentCounts).sort()),
      dedup: Object.fromEntries(Object.entries(dedupCounts).sort()),
      balance: plan,
      splits: Object.fromEntries(Object.entries(splits).sort().map(([l, s]) => [l, Object.fromEntries(Object.entries(s).sort())])),
      pii: Object.fromEntries(Object.entries(pii).sort()),
    },
    dedup_index_bytes_per_doc: dedup.bytesPerDoc(),
    shards: files,
    parent: null,
  };
  writeFileAtomic(
    path.join(staging, 'README.md'),
    datasetCard({ name: config.name ?? 'vernacular', locales: Object.keys(plan).sort(), format: sc.formats.includes('jsonl') ? 'jsonl' : 'parquet', compression, plan, splits: manifest.counts.splits, version: toolVersion() }),
  );
  writeJsonAtomic(path.join(staging, 'manifest.json'), manifest);
  const dir = path.join(ctx.out, dirName);
  const old = path.join(ctx.out, `.${dirName}.old-${process.pid}`);
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(staging, dir);
  rmrf(old);
  return { manifest, dir };
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
