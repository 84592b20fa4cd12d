#!/usr/bin/env node
/**
 * Ingest benchmark: `filter` throughput against the raw ceiling, in one run.
 *
 *   npm run bench:ingest -- [--mb 500] [--cores 0] [--path gate|map|parse] [--chats]
 *
 * Generates ~500 MB of synthetic JSONL (seeded; cached under bench-out/): posts and comments, flat
 * rows (`generate-export --posts-only`), the workload the filter's ratio target is set on; `--chats`
 * makes one row in six a conversation with the assistant (a messages array, split into turns, read
 * the general way: JSON.parse, not the byte gate). Then runs, each in a
 * fresh process pinned to one core with taskset:
 *   raw         Buffer line split + JSON.parse of every line (nothing else): the ceiling
 *   filter zst  the real filter stage (map, eligibility gate, ledgers, docs as zstd level 1:
 *               the default `output.compression`)
 *   filter gz   the same with `output.compression: gz` (gzip level 1)
 *   filter none the same with `output.compression: none`
 *   raw         again, last: the ceiling is the mean of both raw runs, so drift of a shared
 *               machine during the run shows (both are printed)
 * and prints MB/s, the ratio filter/raw and each process's peak RSS — by wall time and by CPU time
 * (user + system of the process): on a machine shared with other work the CPU ratio moves least. `--path` picks the JSONL
 * path of the filter (default gate; map and parse are the slower fallbacks, for comparison).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const MB = Number(arg('mb', '500'));
const CORES = arg('cores', '0');
const PATH = arg('path', 'gate');
const CHATS = args.includes('--chats');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, 'bench-out', `ingest-${MB}mb${CHATS ? '-chats' : ''}`);

if (!fs.existsSync(path.join(dir, 'vernacular.yaml'))) {
  console.error(`generating ${MB} MB under ${dir} ...`);
  execFileSync('npx', ['tsx', 'scripts/generate-export.ts', '--out', dir, '--mb', String(MB), '--files', '4', ...(CHATS ? [] : ['--posts-only'])], { cwd: root, stdio: 'inherit' });
}
const files = fs.readdirSync(dir).filter((f) => /^export-.*\.jsonl$/.test(f)).map((f) => path.join(dir, f));
const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);

const rawScript = `
  const fs = require('node:fs');
  const files = ${JSON.stringify(files)};
  (async () => {
    const t = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let n = 0;
    for (const f of files) {
      let carry = null;
      for await (const chunk of fs.createReadStream(f, { highWaterMark: 1 << 20 })) {
        let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
        let s = 0, i;
        while ((i = buf.indexOf(10, s)) !== -1) {
          if (i > s) { try { JSON.parse(buf.toString('utf8', s, i)); } catch {} n++; }
          s = i + 1;
        }
        carry = s < buf.length ? Buffer.from(buf.subarray(s)) : null;
      }
      if (carry && carry.length) { try { JSON.parse(carry.toString()); n++; } catch {} }
    }
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    const u = process.cpuUsage(c0);
    console.log(JSON.stringify({ secs, cpu: (u.user + u.system) / 1e6, rows: n, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  })();`;

const filterScript = `
  import(${JSON.stringify(path.join(root, 'dist/eligibility/filter-stage.js'))}).then(async ({ runFilter }) => {
    const { loadConfig } = await import(${JSON.stringify(path.join(root, 'dist/config/load.js'))});
    const fs = require('node:fs');
    const out = ${JSON.stringify(path.join(dir, 'out'))};
    fs.rmSync(out, { recursive: true, force: true });
    const t = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const loaded = loadConfig(${JSON.stringify(path.join(dir, 'vernacular.yaml'))});
    loaded.config.output.compression = process.env.BENCH_COMPRESSION;
    const r = await runFilter({ stage: 'filter', rank: 0, world: 1, out, loaded, secret: 'bench-secret-0123456789', quiet: true, log: (m) => console.error(m) }, { jsonlPath: ${JSON.stringify(PATH)} });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    const docs = fs.readdirSync(require('node:path').join(out, 'filter', 'docs'))[0];
    const u = process.cpuUsage(c0);
    console.log(JSON.stringify({ secs, cpu: (u.user + u.system) / 1e6, rows: r.funnel.read, kept: r.funnel.kept, maxRssMB: process.resourceUsage().maxRSS / 1024, docs }));
  });`;

function run(name, script, env = {}) {
  const r = spawnSync('taskset', ['-c', CORES, process.execPath, '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const raw1 = run('raw', rawScript);
const filters = ['zst', 'gz', 'none'].map((c) => [c, run(`filter ${c}`, filterScript, { BENCH_COMPRESSION: c })]);
const raw2 = run('raw', rawScript);
// what each run really wrote: without the native zstd build, zst falls back to gzip
for (const [c, x] of filters) {
  const wrote = x.docs.endsWith('.zst') ? 'zst' : x.docs.endsWith('.gz') ? 'gz' : 'none';
  if (wrote !== c) console.error(`warning: filter ${c} wrote ${x.docs} (${wrote}): its row measures ${wrote}`);
}
const mbs = (x) => bytes / 1e6 / x.secs;
const rawMbs = (mbs(raw1) + mbs(raw2)) / 2;
// CPU seconds (user + system of the process, its I/O threads included): what a shared machine disturbs least
const cpuMbs = (x) => bytes / 1e6 / x.cpu;
const rawCpuMbs = (cpuMbs(raw1) + cpuMbs(raw2)) / 2;
const row = (name, x, ratio, cratio) => `| ${name.padEnd(11)} | ${(bytes / 1e6).toFixed(0).padStart(6)} | ${String(x.rows).padStart(9)} | ${x.secs.toFixed(2).padStart(7)} | ${mbs(x).toFixed(1).padStart(6)} | ${ratio.padStart(5)} | ${x.cpu.toFixed(2).padStart(7)} | ${cratio.padStart(9)} | ${x.maxRssMB.toFixed(0).padStart(11)} |`;
console.log(`\ningest benchmark — ${os.cpus()[0].model}, Node ${process.version}, pinned to core ${CORES}, filter path: ${PATH}, workload: ${CHATS ? 'posts, comments and one row in six a conversation (--chats)' : 'posts and comments, flat rows'}`);
console.log('| run         |     MB |      rows |       s |   MB/s | ratio |   CPU s | CPU ratio | peak RSS MB |');
console.log('|-------------|-------:|----------:|--------:|-------:|------:|--------:|----------:|------------:|');
console.log(row('raw (first)', raw1, '', ''));
for (const [c, x] of filters) console.log(row(`filter ${c}`, x, (mbs(x) / rawMbs).toFixed(2), (cpuMbs(x) / rawCpuMbs).toFixed(2)));
console.log(row('raw (last)', raw2, '', ''));
const [, zst] = filters[0];
const [, gz] = filters[1];
console.log(`\nraw ceiling ${rawMbs.toFixed(1)} MB/s (mean of both runs); ratio filter/raw with zst output (the default) ${(mbs(zst) / rawMbs).toFixed(2)} (target ≥ 0.6; by CPU time ${(cpuMbs(zst) / rawCpuMbs).toFixed(2)}), with gz ${(mbs(gz) / rawMbs).toFixed(2)}; filter peak RSS ${Math.max(...filters.map(([, x]) => x.maxRssMB)).toFixed(0)} MB (target < 300 MB); kept ${zst.kept} of ${zst.rows}`);
