#!/usr/bin/env node
/**
 * Ingest benchmark: `filter` throughput against the raw ceiling, in one run.
 *
 *   npm run bench:ingest -- [--mb 500] [--cores 1]
 *
 * Generates ~500 MB of synthetic JSONL (seeded; cached under bench-out/), then runs, each in a
 * fresh process pinned to one core with taskset:
 *   raw     Buffer line split + JSON.parse of every line (nothing else): the ceiling
 *   filter  the real filter stage (map, eligibility gate, ledgers, gz output)
 * and prints MB/s, the ratio filter/raw and each process's peak RSS.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const MB = Number(arg('mb', '500'));
const CORES = arg('cores', '0');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dir = path.join(root, 'bench-out', `ingest-${MB}mb`);

if (!fs.existsSync(path.join(dir, 'vernacular.yaml'))) {
  console.error(`generating ${MB} MB under ${dir} ...`);
  execFileSync('npx', ['tsx', 'scripts/generate-export.ts', '--out', dir, '--mb', String(MB), '--files', '4'], { cwd: root, stdio: 'inherit' });
}
const files = fs.readdirSync(dir).filter((f) => /^export-.*\.jsonl$/.test(f)).map((f) => path.join(dir, f));
const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);

const rawScript = `
  const fs = require('node:fs');
  const files = ${JSON.stringify(files)};
  (async () => {
    const t = process.hrtime.bigint();
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
    console.log(JSON.stringify({ secs, rows: n, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  })();`;

const filterScript = `
  import(${JSON.stringify(path.join(root, 'dist/eligibility/filter-stage.js'))}).then(async ({ runFilter }) => {
    const { loadConfig } = await import(${JSON.stringify(path.join(root, 'dist/config/load.js'))});
    const fs = require('node:fs');
    const out = ${JSON.stringify(path.join(dir, 'out'))};
    fs.rmSync(out, { recursive: true, force: true });
    const t = process.hrtime.bigint();
    const r = await runFilter({ stage: 'filter', rank: 0, world: 1, out, loaded: loadConfig(${JSON.stringify(path.join(dir, 'vernacular.yaml'))}), secret: 'bench-secret-0123456789', quiet: true, log: () => {} });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(JSON.stringify({ secs, rows: r.funnel.read, kept: r.funnel.kept, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
  });`;

function run(name, script) {
  const r = spawnSync('taskset', ['-c', CORES, process.execPath, '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const raw = run('raw', rawScript);
const filter = run('filter', filterScript);
const mbs = (x) => bytes / 1e6 / x.secs;
const row = (name, x) => `| ${name.padEnd(7)} | ${(bytes / 1e6).toFixed(0).padStart(6)} | ${String(x.rows).padStart(9)} | ${x.secs.toFixed(2).padStart(7)} | ${mbs(x).toFixed(1).padStart(6)} | ${x.maxRssMB.toFixed(0).padStart(8)} |`;
console.log(`\ningest benchmark — ${os.cpus()[0].model}, Node ${process.version}, pinned to core ${CORES}`);
console.log('| run     |     MB |      rows |       s |   MB/s | peak RSS MB |');
console.log('|---------|-------:|----------:|--------:|-------:|------------:|');
console.log(row('raw', raw));
console.log(row('filter', filter));
console.log(`\nratio filter/raw = ${(mbs(filter) / mbs(raw)).toFixed(2)} (target ≥ 0.6); filter peak RSS ${filter.maxRssMB.toFixed(0)} MB (target < 300 MB); kept ${filter.kept} of ${filter.rows}`);
