import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from './writer.js';
import { readManifest } from './manifest.js';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  problems: string[];
}

/** Every file under `dir` (relative, posix), for spotting files the manifest does not list. */
function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** Re-hash every shard against the manifest: missing, changed or unlisted shard files are problems. */
export function verifyShards(dir: string): VerifyResult {
  const m = readManifest(dir);
  const problems: string[] = [];
  for (const s of m.shards) {
    const f = path.join(dir, s.path);
    if (!fs.existsSync(f)) {
      problems.push(`missing: ${s.path}`);
      continue;
    }
    const b = fs.readFileSync(f);
    if (b.length !== s.bytes) problems.push(`size differs: ${s.path} (${b.length} bytes, manifest says ${s.bytes})`);
    else if (sha256(b) !== s.sha256) problems.push(`sha256 differs: ${s.path}`);
  }
  for (const s of m.conversations ?? []) {
    const f = path.join(dir, s.path);
    if (!fs.existsSync(f)) problems.push(`missing: ${s.path}`);
    else if (sha256(fs.readFileSync(f)) !== s.sha256) problems.push(`sha256 differs: ${s.path}`);
  }
  const listed = new Set([...m.shards.map((s) => s.path), ...(m.conversations ?? []).map((s) => s.path)]);
  for (const f of [...listFiles(path.join(dir, 'data'), dir), ...listFiles(path.join(dir, 'parquet'), dir), ...listFiles(path.join(dir, 'conversations'), dir)]) if (!listed.has(f)) problems.push(`not in the manifest: ${f}`);
  return { ok: problems.length === 0, checked: m.shards.length, problems };
}
