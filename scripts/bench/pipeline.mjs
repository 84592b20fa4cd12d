#!/usr/bin/env node
/**
 * Pipeline benchmark: the whole build (filter → segment → features → shards) on a generated
 * corpus of ≥ 1 GB, once with 1 worker and once with 2, in one run. Per stage: seconds, MB/s of
 * input, speed-up 1 → 2 workers, and the peak RSS of any process of that stage; plus the dedup
 * index's bytes per doc. Prints one table.
 *
 *   npm run build && node scripts/bench/pipeline.mjs [--mb 1100]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = process.argv.slice(2);
const MB = Number(args.includes('--mb') ? args[args.indexOf('--mb') + 1] : 1100);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, 'bench-out', `pipeline-${MB}mb`);
if (!fs.existsSync(path.join(dir, 'vernacular.yaml'))) {
  execFileSync('npx', ['tsx', 'scripts/generate-export.ts', '--out', dir, '--mb', String(MB), '--files', '16'], { cwd: root, stdio: 'inherit' });
  fs.appendFileSync(path.join(dir, 'vernacular.yaml'), 'segment:\n  locales: [en-IE, en-MT, mt-MT, de-DE, de-AT, lb-LU, fr-FR, fr-BE, nl-NL, nl-BE, es-ES, ca-ES, pt-PT, it-IT, sv-SE, sv-FI, el-GR, el-CY]\nshards:\n  balance: {strategy: temperature, alpha: 0.5}\n');
}
const input = fs.readdirSync(dir).filter((f) => f.startsWith('export-')).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
const cfg = path.join(dir, 'vernacular.yaml');
const env = { ...process.env, VERNACULAR_SECRET: '19a317e5c204f0fdfb76772ade4c6c7336db53d9ba55788cc534fc81eec908bd' };

/** Run one process under /usr/bin/time; resolve with its peak RSS in MB. */
function proc(argv) {
  return new Promise((resolve, reject) => {
    const c = spawn('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin/vernacular.js'), '--quiet', ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? resolve(Number(err.trim().split('\n').pop()) / 1024) : reject(new Error(`${argv.join(' ')}: ${err}`))));
  });
}

/** The build's steps: map steps run as ranks, global steps as one process. */
const STEPS = [
  ['filter', 'map'],
  ['segment', 'map'],
  ['features', 'map'],
  ['signatures', 'map'],
  ['dedup-pairs', 'map'],
  ['dedup-clusters', 'global'],
  ['shards-counts', 'map'],
  ['shards-quotas', 'global'],
  ['shards-sample', 'map'],
  ['shards-plan', 'global'],
  ['shards-write', 'map'],
  ['shards', 'global'],
];
/** One step of one build: map steps as `workers` ranks at once plus a `--world 1` pass, global steps as one process. */
async function step(out, stage, kind, workers) {
  const t = Date.now();
  let rss = 0;
  let concurrent = 0;
  if (kind === 'map' && workers > 1) {
    const r = await Promise.all(Array.from({ length: workers }, (_, rank) => proc(['run-stage', stage, '--rank', String(rank), '--world', String(workers), '-c', cfg, '-o', out])));
    rss = Math.max(...r);
    concurrent = r.reduce((a, b) => a + b, 0);
  }
  const last = await proc(['run-stage', stage, '--world', '1', '-c', cfg, '-o', out]);
  return { stage, secs: (Date.now() - t) / 1000, rss: Math.max(rss, last), concurrent: Math.max(concurrent, last) };
}

// The two builds advance step by step, 1 worker then 2 workers, so both see the machine in the
// same state for each step (a shared 2-core VM drifts over a 20-minute run).
const outs = { 1: path.join(dir, 'out-1'), 2: path.join(dir, 'out-2') };
for (const o of Object.values(outs)) fs.rmSync(o, { recursive: true, force: true });
const one = { rows: [] };
const two = { rows: [] };
for (const [stage, kind] of STEPS) {
  one.rows.push(await step(outs[1], stage, kind, 1));
  two.rows.push(await step(outs[2], stage, kind, 2));
}
one.manifest = JSON.parse(fs.readFileSync(path.join(outs[1], 'shards', 'manifest.json'), 'utf8'));

const same = execFileSync('bash', ['-c', `diff -rq ${path.join(dir, 'out-1', 'shards')} ${path.join(dir, 'out-2', 'shards')} >/dev/null && echo yes || echo no`]).toString().trim();
const records = one.manifest.counts.filter.read;
console.log(`\npipeline benchmark — ${(input / 1e6).toFixed(0)} MB, ${records.toLocaleString('en-US')} records; ${os.cpus()[0].model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
console.log('| stage | 1 worker s | MB/s | 2 workers s | MB/s | speed-up | peak RSS MB (1 / 2 workers) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
let t1 = 0;
let t2 = 0;
one.rows.forEach((r, i) => {
  const q = two.rows[i];
  t1 += r.secs;
  t2 += q.secs;
  console.log(`| ${r.stage} | ${r.secs.toFixed(1)} | ${(input / 1e6 / r.secs).toFixed(1)} | ${q.secs.toFixed(1)} | ${(input / 1e6 / q.secs).toFixed(1)} | ${(r.secs / q.secs).toFixed(2)}× | ${r.rss.toFixed(0)} / ${q.rss.toFixed(0)} |`);
});
console.log(`| **total** | ${t1.toFixed(1)} | ${(input / 1e6 / t1).toFixed(1)} | ${t2.toFixed(1)} | ${(input / 1e6 / t2).toFixed(1)} | ${(t1 / t2).toFixed(2)}× | ${Math.max(...one.rows.map((r) => r.rss)).toFixed(0)} / ${Math.max(...two.rows.map((r) => r.rss)).toFixed(0)} |`);
const sum = (rows, names) => rows.filter((r) => names.includes(r.stage)).reduce((s, r) => s + r.secs, 0);
const SH = ['signatures', 'dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample', 'shards-plan', 'shards-write', 'shards'];
const partitioned = sum(one.rows, ['filter', 'segment', 'features']) / sum(two.rows, ['filter', 'segment', 'features']);
console.log(`\nfilter+segment+features speed-up ${partitioned.toFixed(2)}×; shards build (signatures → plan → write → assemble) ${sum(one.rows, SH).toFixed(1)} s → ${sum(two.rows, SH).toFixed(1)} s, ${(sum(one.rows, SH) / sum(two.rows, SH)).toFixed(2)}×`);
console.log(`peak RSS of any one process: ${Math.max(...one.rows.map((r) => r.rss)).toFixed(0)} MB (1 worker), ${Math.max(...two.rows.map((r) => r.rss)).toFixed(0)} MB (2 workers); largest sum over processes running at once (2 workers): ${Math.max(...two.rows.map((r) => r.concurrent)).toFixed(0)} MB`);
console.log(`dedup index ${one.manifest.dedup_index_bytes_per_doc} bytes/doc over ${Object.values(one.manifest.counts.dedup).reduce((s, d) => s + d.in, 0).toLocaleString('en-US')} docs; shards identical for 1 and 2 workers: ${same}`);
