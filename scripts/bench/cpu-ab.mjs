#!/usr/bin/env node
/**
 * Per-core speed of two builds of the tool on the same export, one right after the other: every
 * step of the build (as `scripts/bench/pipeline.mjs` runs it with 1 worker: `run-stage <step>
 * --world 1`) is run by A, then by B (B first on every other round), each in its own output
 * folder, and timed in CPU seconds (user + system of the process, from /usr/bin/time), which a
 * shared machine's load moves far less than wall time. Prints per step the median CPU seconds,
 * MB/s per core (input MB / CPU s) and the ratio A/B of MB/s per core, and the same for the whole
 * build; and whether the two builds' shard files are byte-identical (data/ and parquet/; the
 * markers and manifest carry a hash of the code and the output folder, which differ by design).
 *
 *   node scripts/bench/cpu-ab.mjs --a /path/to/checkout-A --b /path/to/checkout-B --export DIR [--rounds 1] [--steps segment,shards-write]
 *
 * Each checkout is a built tree (bin/, dist/, corpora/, node_modules/). DIR holds the export and
 * its vernacular.yaml (as `scripts/generate-export.ts` writes them; `pipeline.mjs` makes one).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const A = path.resolve(arg('a'));
const B = path.resolve(arg('b'));
const dir = path.resolve(arg('export'));
const rounds = Number(arg('rounds', '1'));
const ALL = ['filter', 'segment', 'features', 'signatures', 'dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample', 'shards-plan', 'shards-write', 'shards'];
const only = arg('steps') ? arg('steps').split(',') : undefined;
const cfg = path.join(dir, 'vernacular.yaml');
const input = fs.readdirSync(dir).filter((f) => f.startsWith('export-')).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
const env = { ...process.env, VERNACULAR_SECRET: process.env.VERNACULAR_SECRET ?? '19a317e5c204f0fdfb76772ade4c6c7336db53d9ba55788cc534fc81eec908bd' };
const outs = { A: path.join(dir, 'ab-out-A'), B: path.join(dir, 'ab-out-B') };
const roots = { A, B };

/** CPU seconds (user + system) of one step run by one build. */
function run(who, step) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, path.join(roots[who], 'bin', 'vernacular.js'), '--quiet', 'run-stage', step, '--world', '1', '-c', cfg, '-o', outs[who]], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${who} ${step}: exit ${r.status}\n${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return u + s;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const times = { A: {}, B: {} };
for (let round = 0; round < rounds; round++) {
  for (const o of Object.values(outs)) fs.rmSync(o, { recursive: true, force: true });
  for (const step of ALL) {
    const order = round % 2 ? ['B', 'A'] : ['A', 'B'];
    for (const who of order) {
      // steps not asked for still run (their outputs feed the next), untimed
      const t = run(who, step);
      if (!only || only.includes(step)) (times[who][step] ??= []).push(t);
    }
    process.stderr.write(`round ${round + 1}: ${step} A ${times.A[step]?.at(-1)?.toFixed(1) ?? '-'} s, B ${times.B[step]?.at(-1)?.toFixed(1) ?? '-'} s\n`);
  }
}

const mb = input / 1e6;
console.log(`\nCPU-time A/B — ${mb.toFixed(0)} MB export, ${rounds} round(s), ${os.cpus().length} cores, Node ${process.version}\nA = ${A}\nB = ${B}\n`);
console.log('| step | A CPU s | A MB/s per core | B CPU s | B MB/s per core | A/B speed |');
console.log('|---|---:|---:|---:|---:|---:|');
let ta = 0;
let tb = 0;
for (const step of ALL) {
  if (!times.A[step]) continue;
  const a = median(times.A[step]);
  const b = median(times.B[step]);
  ta += a;
  tb += b;
  console.log(`| ${step} | ${a.toFixed(1)} | ${(mb / a).toFixed(1)} | ${b.toFixed(1)} | ${(mb / b).toFixed(1)} | ${(b / a).toFixed(2)}× |`);
}
console.log(`| **total** | ${ta.toFixed(1)} | ${(mb / ta).toFixed(2)} | ${tb.toFixed(1)} | ${(mb / tb).toFixed(2)} | ${(tb / ta).toFixed(2)}× |`);
// the shard files (data/, parquet/); the manifest and card name the output folder and the code's hash
const data = (o) => execFileSync('bash', ['-c', `cd ${path.join(o, 'shards')} && find data parquet -type f | sort | xargs sha256sum`], { maxBuffer: 1 << 28 }).toString();
console.log(`\nshard files (data/, parquet/) identical for A and B: ${data(outs.A) === data(outs.B) ? 'yes' : 'no'}`);
