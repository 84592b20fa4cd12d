import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { loadObjections } from '../eligibility/objections.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { configSchema } from '../config/schema.js';
import { decodeJsonl, encodeJsonl, encodeParquet, sha256, rmrf, type ShardFile } from './writer.js';
import { readManifest } from './verify.js';
import type { Manifest } from './stage.js';
import { createHash } from 'node:crypto';

export interface RevokeReport {
  parent: string;
  registry_sha256: string[];
  authors_in_registry: number;
  authors_found: number;
  removed_docs: { [locale: string]: number };
  shards_rewritten: string[];
  shards_unchanged: number;
}

/**
 * Remove every document of newly objecting authors from a built shard set, as a new version:
 * pseudonyms are re-derived from the registry's author ids with the build's key, only shards
 * holding such documents are rewritten (from their JSONL twin), all others are copied byte for
 * byte, and the new manifest names its parent. Parquet shards are rebuilt from the kept rows.
 */
export async function revoke(o: { build: string; objections: string; out: string; secret: string; caseInsensitive?: boolean }): Promise<{ report: RevokeReport; manifest: Manifest }> {
  const parentDir = path.resolve(o.build);
  const parent = readManifest(parentDir);
  const outDir = path.resolve(o.out);
  if (outDir === parentDir) throw new InputError('revoke: --out must differ from --build (a revocation writes a new version)');
  if (!parent.params.formats.includes('jsonl')) throw new InputError('revoke: the parent build has no JSONL shards to rewrite from');
  const cfg: Config = configSchema.parse({ inputs: [{ path: 'x' }], policy: { countries: ['AT'] }, fields: {}, objections: { paths: [path.resolve(o.objections)], case_insensitive: !!o.caseInsensitive } });
  const reg = await loadObjections(cfg, process.cwd());
  const revoked = new Set([...reg.byAuthor.keys()].map((id) => keyedHash(o.secret, 'author', id)));
  const staging = `${outDir}.staging-${process.pid}`;
  rmrf(staging);
  const removed: { [l: string]: number } = {};
  const found = new Set<string>();
  const rewritten: string[] = [];
  const shards: ShardFile[] = [];
  // JSONL shards decide; their parquet twins follow.
  const jsonl = parent.shards.filter((s) => s.format === 'jsonl');
  const kept = new Map<string, ReturnType<typeof decodeJsonl>>();
  for (const s of jsonl) {
    const buf = fs.readFileSync(path.join(parentDir, s.path));
    if (sha256(buf) !== s.sha256) throw new InputError(`revoke: ${s.path} does not match the parent manifest (run \`vernacular shards verify\`)`);
    const docs = decodeJsonl(buf, s.path);
    const keep = docs.filter((d) => {
      if (!revoked.has(d.author)) return true;
      found.add(d.author);
      removed[d.locale] = (removed[d.locale] ?? 0) + 1;
      return false;
    });
    const twin = s.path.replace(/^data\//, 'parquet/').replace(/\.jsonl\.(gz|zst)$/, '.parquet');
    if (keep.length === docs.length) continue;
    kept.set(s.path, keep);
    kept.set(twin, keep);
  }
  for (const s of parent.shards) {
    const dst = path.join(staging, s.path);
    const keep = kept.get(s.path);
    if (!keep) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(path.join(parentDir, s.path), dst);
      shards.push(s);
      continue;
    }
    rewritten.push(s.path);
    if (!keep.length) continue; // every doc of the shard was revoked: the shard goes
    const bytes = s.format === 'jsonl' ? encodeJsonl(keep, s.path.endsWith('.zst') ? 'zst' : 'gz') : encodeParquet(keep, parent.params.compression as 'gz' | 'zst');
    writeFileAtomic(dst, bytes);
    shards.push({ ...s, docs: keep.length, bytes: bytes.length, sha256: sha256(bytes) });
  }
  const splits: Manifest['counts']['splits'] = JSON.parse(JSON.stringify(parent.counts.splits));
  for (const s of jsonl) {
    const keep = kept.get(s.path);
    if (keep) splits[s.locale][s.split] -= s.docs - keep.length;
  }
  const parentManifestBytes = fs.readFileSync(path.join(parentDir, 'manifest.json'));
  const report: RevokeReport = {
    parent: parentDir,
    registry_sha256: reg.hashes,
    authors_in_registry: reg.byAuthor.size,
    authors_found: found.size,
    removed_docs: Object.fromEntries(Object.entries(removed).sort()),
    shards_rewritten: rewritten.sort(),
    shards_unchanged: parent.shards.length - rewritten.length,
  };
  const manifest: Manifest = {
    ...parent,
    counts: { ...parent.counts, splits },
    objections: { sha256: [...parent.objections.sha256, ...reg.hashes], as_of: reg.asOf ?? parent.objections.as_of },
    shards,
    parent: { manifest_sha256: createHash('sha256').update(parentManifestBytes).digest('hex'), path: parentDir },
    revocations: [...(parent.revocations ?? []), { registry_sha256: reg.hashes, as_of: reg.asOf, authors_found: found.size, removed_docs: report.removed_docs, shards_rewritten: report.shards_rewritten.length }],
  };
  if (fs.existsSync(path.join(parentDir, 'README.md'))) fs.copyFileSync(path.join(parentDir, 'README.md'), path.join(staging, 'README.md'));
  writeJsonAtomic(path.join(staging, 'manifest.json'), manifest);
  writeJsonAtomic(path.join(staging, 'revoke_report.json'), report);
  rmrf(outDir);
  fs.renameSync(staging, outDir);
  return { report, manifest };
}
