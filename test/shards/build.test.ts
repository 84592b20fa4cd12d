import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyedHash } from '../../src/eligibility/keyed-hash.js';
import { ROOT, cli, sampleBuild, snapshot, tmpDir, walk } from '../helpers.js';

const SECRET = '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2';
const CONFIG = path.join(ROOT, 'corpora', 'sample', 'vernacular.yaml');

function readShardDocs(dir: string): Array<{ author: string; locale: string; split: string; id: string; text: string }> {
  const out = [];
  for (const f of walk(path.join(dir, 'data'))) {
    const raw = zlib.gunzipSync(fs.readFileSync(f)).toString('utf8');
    for (const l of raw.split('\n').filter(Boolean)) out.push(JSON.parse(l));
  }
  return out;
}

describe('shards on the sample', () => {
  let a: string;
  beforeAll(() => {
    a = sampleBuild(); // read-only here: revocations write into their own folders
  });

  it('signature files written in chunks (the smallest memory budget: ~85 docs per chunk) equal the sample build’s', () => {
    const d = tmpDir('vern-sig-chunks-');
    for (const x of ['filter', 'segment', 'features']) fs.cpSync(path.join(a, x), path.join(d, x), { recursive: true, preserveTimestamps: true });
    const r = cli(['--quiet', 'run-stage', 'signatures', '--world', '1', '-c', CONFIG, '-o', d], { env: { VERNACULAR_SECRET: SECRET, VERNACULAR_PLAN_MEMORY_MB: '0.0625' } });
    expect(r.status, r.stderr).toBe(0);
    const bins = walk(path.join(a, 'signatures')).filter((f) => f.endsWith('.bin'));
    expect(bins.length).toBeGreaterThan(100);
    // some files span several chunks
    expect(bins.filter((f) => fs.statSync(f).size > 85 * 190).length).toBeGreaterThan(3);
    for (const f of bins) expect(fs.readFileSync(path.join(d, path.relative(a, f))).equals(fs.readFileSync(f)), f).toBe(true);
    expect(walk(path.join(d, 'signatures')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('prints target vs achieved per locale and verifies', () => {
    const r = cli(['shards', 'verify', path.join(a, 'shards')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ shard files match/);
  });

  it('a second run keeps a finished build\'s shards as they are; a damaged shard file is written again', () => {
    const b = sampleBuild({ copy: true });
    const man = path.join(b, 'shards', 'manifest.json');
    const before = fs.readFileSync(man);
    const shard = walk(path.join(b, 'shards', 'data'))[0];
    const mtime = fs.statSync(shard).mtimeMs;
    const r = cli(['shards', 'build', '-c', CONFIG, '-o', b]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.statSync(shard).mtimeMs, 'the kept shard file was not rewritten').toBe(mtime);
    expect(fs.readFileSync(man).equals(before)).toBe(true);
    // one byte more in a shard: the folder no longer matches its manifest, so the shards are built again
    fs.appendFileSync(shard, 'x');
    const again = cli(['shards', 'build', '-c', CONFIG, '-o', b]);
    expect(again.status, again.stderr).toBe(0);
    expect(fs.readFileSync(man).equals(before)).toBe(true);
    expect(cli(['shards', 'verify', path.join(b, 'shards')]).status).toBe(0);
  });

  it('nothing about the author leaves: pseudonyms, coarse times, no raw ids, no birth dates', () => {
    const docs = readShardDocs(path.join(a, 'shards'));
    expect(docs.length).toBeGreaterThan(1000);
    const raw = fs.readFileSync(path.join(ROOT, 'corpora/sample/export/posts-2025.jsonl'), 'utf8');
    const someUser = JSON.parse(raw.split('\n')[0]).user_id as string;
    const blob = walk(path.join(a, 'shards')).map((f) => (f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)).toString() : fs.readFileSync(f, 'latin1'))).join('\n');
    expect(blob).not.toContain(someUser);
    expect(blob).not.toMatch(/user_birth_date|"ageAtPost"/);
    // a shard doc carries exactly these fields
    for (const d of docs) expect(Object.keys(d).sort()).toEqual(['author', 'features', 'id', 'kind', 'lang', 'locale', 'split', 'text', 'time']);
    for (const d of docs.slice(0, 50)) {
      expect(d.author).toMatch(/^[0-9a-f]{32}$/);
      expect((d as unknown as { time: string }).time).toMatch(/^\d{4}-\d{2}$/);
    }
  });

  it('splits are author-disjoint', () => {
    const docs = readShardDocs(path.join(a, 'shards'));
    const splitOf = new Map<string, string>();
    for (const d of docs) {
      const s = splitOf.get(d.author);
      if (s) expect(s, d.author).toBe(d.split);
      else splitOf.set(d.author, d.split);
    }
    expect(new Set(docs.map((d) => d.split))).toEqual(new Set(['train', 'validation', 'test']));
  });

  it('revoke removes every doc of the new objectors and leaves every other shard byte-identical', () => {
    const docs = readShardDocs(path.join(a, 'shards'));
    // two eligible authors of the export whose docs are in the shards
    const rows = fs.readFileSync(path.join(ROOT, 'corpora/sample/export/posts-2025.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const inShards = new Set(docs.map((d) => d.author));
    const victims = [...new Set(rows.map((r) => r.user_id as string))].filter((u) => inShards.has(keyedHash(SECRET, 'author', u))).slice(0, 2);
    expect(victims).toHaveLength(2);
    const d = tmpDir('vern-revoke-');
    fs.writeFileSync(path.join(d, 'new.csv'), `author_id,objected_at\n${victims.map((v) => `${v},2026-07-01T00:00:00Z`).join('\n')}\n`);
    const v2 = path.join(d, 'v2');
    const r = cli(['shards', 'revoke', '--build', a, '--objections', path.join(d, 'new.csv'), '--out', v2]);
    expect(r.status, r.stderr).toBe(0);
    const out = path.join(v2, 'shards');
    const gone = new Set(victims.map((v) => keyedHash(SECRET, 'author', v)));
    const after = readShardDocs(out);
    expect(after.filter((x) => gone.has(x.author))).toEqual([]);
    expect(after.length).toBe(docs.length - docs.filter((x) => gone.has(x.author)).length);
    const report = JSON.parse(fs.readFileSync(path.join(v2, 'revoke_report.json'), 'utf8'));
    expect(report.authors_found).toBe(2);
    expect(report.shards_rewritten.length).toBeGreaterThan(0);
    const parent = snapshot(path.join(a, 'shards'));
    const child = snapshot(out);
    for (const [k, v] of parent) {
      if (!/^(data|parquet)\//.test(k)) continue;
      if (report.shards_rewritten.includes(`shards/${k}`)) continue;
      expect(child.get(k)?.equals(v), k).toBe(true);
    }
    const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(m.parent.manifest_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cli(['shards', 'verify', out]).status).toBe(0);
  });

  it('verify fails (exit 1) when a shard changes', () => {
    const d = tmpDir('vern-verify-');
    fs.cpSync(path.join(a, 'shards'), d, { recursive: true });
    const f = walk(path.join(d, 'data'))[0];
    fs.appendFileSync(f, 'x');
    const r = cli(['shards', 'verify', d]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/size differs/);
  });
  // ranks vs one process, and a kill while writing shards: test/pipeline/executor.test.ts (generated export)
});
