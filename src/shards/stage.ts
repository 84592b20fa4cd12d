import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { StageContext } from '../pipeline/stage.js';
import { partName, stableHash } from '../pipeline/stage.js';
import { codeVersion } from '../pipeline/runner.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { expandInputs } from '../io/inputs.js';
import { recordedSha } from '../io/raw-sha.js';
import { toolVersion } from '../paths.js';
import { rmrf, type ShardFile } from './writer.js';
import { datasetCard } from './card.js';
import { writeConversationShards } from './conversations.js';
import { pseudonymScheme, type Manifest } from './manifest.js';
import { readJsonIfAny, shardsSetup, type ShardsOptions } from './setup.js';
import { planShards } from './plan/run.js';
import { WRITE_VERSION, writeShardParts } from './write.js';

/**
 * The shards build's last step, publish: the plan (plan/), the written parts (write.ts), then
 * the shard files linked into a staging folder with their dataset card and manifest, renamed
 * into place. The other verbs: setup.ts (what every step derives from the config),
 * signatures.ts, splits.ts, plan/, write.ts, manifest.ts.
 */

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

  const filterStats = readJsonIfAny(path.join(ctx.out, 'filter', 'stats.json'));
  const registryHashes: string[] = (filterStats as { registry?: { hashes?: string[] } })?.registry?.hashes ?? [];
  const manifest: Manifest = {
    tool: { name: 'vernacular', version: toolVersion() },
    seed: config.seed,
    config_sha256: stableHash(config),
    policy_sha256: stableHash(config.policy),
    objections: { sha256: registryHashes, as_of: (filterStats as { registry?: { asOf?: string } })?.registry?.asOf ?? null },
    // the raw hashes the filter took as it read each input (its partition markers), else the file's hash now
    inputs: expandInputs(config, baseDir).map((f, i) => {
      const rel = path.relative(baseDir, f.path).split(path.sep).join('/');
      return { path: rel, bytes: f.bytes, sha256: recordedSha(path.join(ctx.out, 'filter', '_done', `${partName(i)}.json`), f.path, rel) };
    }),
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
