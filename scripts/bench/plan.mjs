#!/usr/bin/env node
/**
 * Plan bench: the shards plan alone, on signature files written directly for N generated docs
 * (no upstream stages). Runs the in-memory plan (before) and every map/reduce step of the plan
 * (after), each in its own process under /usr/bin/time: seconds, peak RSS, bytes spilled; then
 * checks that both give the same per-doc plan (times taken and split, every doc).
 *
 *   npm run build && node scripts/bench/plan.mjs --docs 2000000 [--budget-mb 64] [--part-docs 125000 | --parts P] [--workers 1] [--skip-before]
 *
 * The signature files hold `--part-docs` docs each (default 125k: 16 files at 2M, 80 at 10M, 320
 * at 40M), so peak RSS over N shows what grows with the corpus; `--parts` fixes the number of
 * files instead (16 at every N: what grows with a partition's size). `--from STEP` re-runs only
 * STEP and the steps after it on the bench folder of an earlier run (a budget sweep); `--to STEP`
 * stops after STEP.
 *
 * Generated: 18 locales, authors Zipf-like (a few prolific), 8% near-copies of an earlier doc's
 * signature (a few of 32 positions changed, band keys recomputed), 4% exact copies, 5% short.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dist = (m) => import(path.join(root, 'dist', m));
const LOCALES = ['ca-ES', 'de-AT', 'de-DE', 'el-CY', 'el-GR', 'en-IE', 'en-MT', 'es-ES', 'fr-BE', 'fr-FR', 'it-IT', 'lb-LU', 'mt-MT', 'nl-BE', 'nl-NL', 'pt-PT', 'sv-FI', 'sv-SE'];
const DEDUP = { shingle: 5, numPerm: 32, bands: 8, threshold: 0.5, minChars: 20 };
const BALANCE = { strategy: 'temperature', alpha: 0.5, targets: {}, min: 0, max_repeat: 1, author_cap: 0.2 };
const SPLITS = { train: 0.8, validation: 0.1, test: 0.1 };

async function planSetup(dir, budget) {
  const { sigParts } = await dist('shards/plan/common.js');
  const sigIndex = JSON.parse(fs.readFileSync(path.join(dir, 'signatures', '_complete.json'), 'utf8'));
  const { parts, total } = sigParts(sigIndex, path.join(dir, 'signatures'));
  const ranges = Number(process.env.VERNACULAR_PLAN_RANGES || Math.max(1, Math.ceil(total / 4_000_000)));
  return { out: dir, work: path.join(dir, 'shards-work', 'shards'), sigIndex, parts, total, seed: 1, dedup: DEDUP, balance: BALANCE, splits: SPLITS, localeNames: LOCALES, budget, ranges, rank: 0, world: 1, quiet: true };
}

/** Child mode: run one step in this process. */
async function child(step, dir, budget, rank, world) {
  const ps = {};
  for (const m of ['pairs', 'clusters', 'counts', 'quotas', 'sample', 'tables']) Object.assign(ps, await dist(`shards/plan/${m}.js`));
  const { inMemoryPlan } = await dist('shards/plan/in-memory.js');
  const { readCompletion } = await dist('pipeline/runner.js');
  const s = { ...(await planSetup(dir, budget)), rank, world };
  const idx = (d, st) => readCompletion(path.join(dir, d), st, '');
  const stats = {};
  if (step === 'before') {
    const files = s.parts.map((p) => p.file);
    const r = inMemoryPlan(files, { seed: 1, dedup: DEDUP, balance: BALANCE, splits: SPLITS, localeNames: LOCALES });
    fs.mkdirSync(path.join(dir, 'before'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'before', 'times.bin'), r.times);
    fs.writeFileSync(path.join(dir, 'before', 'split.bin'), r.split);
    stats.duplicates = Object.values(r.dedupCounts).reduce((a, d) => a + d.duplicates, 0);
    stats.achieved = Object.values(r.balance).reduce((a, p) => a + p.achieved, 0);
  } else if (step === 'dedup-pairs') await ps.runDedupPairs(s);
  else if (step === 'dedup-clusters') await ps.runDedupClusters(s, idx('dedup/pairs', 'dedup-pairs'));
  else if (step === 'shards-counts') await ps.runShardsCounts(s, idx('dedup/clusters', 'dedup-clusters'));
  else if (step === 'shards-quotas') await ps.runShardsQuotas(s, idx('dedup/counts', 'shards-counts'));
  else if (step === 'shards-sample') await ps.runShardsSample(s, idx('shards-work/shards/quotas', 'shards-quotas'));
  else if (step === 'check') {
    // the write step's per-doc decision, one partition at a time, against the in-memory plan
    const t = ps.planTables(s);
    const times = fs.readFileSync(path.join(dir, 'before', 'times.bin'));
    const split = fs.readFileSync(path.join(dir, 'before', 'split.bin'));
    let differ = 0;
    let taken = 0;
    for (const p of s.parts) {
      const g = ps.docPlan(s, p, t);
      for (let k = 0; k < p.n; k++) {
        if (g.times[k] !== times[p.start + k] || (g.split[k] !== split[p.start + k])) differ++;
        taken += g.times[k];
      }
    }
    stats.differ = differ;
    stats.taken = taken;
    stats.duplicates = Object.values(ps.readQuotas(s).dedup).reduce((a, d) => a + d.duplicates, 0);
  }
  process.stdout.write(JSON.stringify(stats));
}

/** Parent mode: one process under /usr/bin/time; resolves with seconds, CPU seconds (user + system), peak RSS MB and the child's stats. */
function proc(argv, env = {}) {
  return new Promise((resolve, reject) => {
    const t = Date.now();
    // only the in-memory plan needs a large heap; the map/reduce steps run with Node's defaults, as `run-stage` does
    const heap = argv[1] === 'before' ? ['--max-old-space-size=16384'] : [];
    const c = spawn('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...heap, new URL(import.meta.url).pathname, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => {
      const [rss, user, sys] = err.trim().split('\n').pop().split(' ').map(Number);
      if (code === 0) resolve({ secs: (Date.now() - t) / 1000, cpu: user + sys, rss: rss / 1024, stats: out ? JSON.parse(out) : {} });
      else reject(new Error(`${argv.join(' ')}: ${err}`));
    });
  });
}

/** Write signature files for `docs` generated docs over `parts` partitions, as the signatures step does. */
async function generate(dir, docs, parts) {
  const { Names, writeColumns } = await dist('io/columns.js');
  let x = 0x9e3779b9;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const np = DEDUP.numPerm;
  const B = DEDUP.bands;
  const r = np / B;
  const sigDir = path.join(dir, 'signatures');
  const index = { v: 2, stage: 'signatures', fingerprint: `bench-${docs}-${parts}`, partitions: [] };
  const nAuthors = Math.max(10, Math.floor(docs / 12));
  // recent docs to copy from (a ring), so copies cross partitions
  const RING = 4096;
  const ringSig = new Uint32Array(RING * np);
  const ringEx = new Uint32Array(RING * 2);
  let ringN = 0;
  for (let p = 0; p < parts; p++) {
    const n = Math.floor(docs / parts) + (p < docs % parts ? 1 : 0);
    const key = `${LOCALES[p % LOCALES.length]}/part-${String(p).padStart(5, '0')}`;
    const authorsSeen = new Map();
    const authors = [];
    const author = new Uint32Array(n);
    const locale = new Uint8Array(n);
    const chars = new Uint32Array(n);
    const sigs = new Uint32Array(n * np);
    const bandKeys = new Uint32Array(n * B);
    const exactKeys = new Uint32Array(n * 2);
    const times = new Float64Array(n);
    const ties = new Uint32Array(n);
    const shortFlags = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      // Zipf-like authors: a few write a lot
      const a = Math.floor(nAuthors * Math.pow(rnd() / 2 ** 32, 3));
      let ai = authorsSeen.get(a);
      if (ai === undefined) {
        ai = authors.push(a.toString(16).padStart(32, '0')) - 1;
        authorsSeen.set(a, ai);
      }
      author[i] = ai;
      locale[i] = rnd() % 100 < 60 ? p % LOCALES.length : rnd() % LOCALES.length;
      chars[i] = 20 + (rnd() % 280);
      times[i] = 1.7e12 + (rnd() % 3e7) * 1000;
      ties[i] = rnd();
      const roll = rnd() % 100;
      const sig = sigs.subarray(i * np, (i + 1) * np);
      if (roll < 8 && ringN > 0) {
        const from = rnd() % Math.min(ringN, RING);
        sig.set(ringSig.subarray(from * np, from * np + np));
        for (let k = rnd() % 6; k > 0; k--) sig[rnd() % np] = rnd();
        exactKeys[2 * i] = rnd();
        exactKeys[2 * i + 1] = rnd();
      } else if (roll < 12 && ringN > 0) {
        const from = rnd() % Math.min(ringN, RING);
        sig.set(ringSig.subarray(from * np, from * np + np));
        exactKeys[2 * i] = ringEx[2 * from];
        exactKeys[2 * i + 1] = ringEx[2 * from + 1];
      } else {
        for (let k = 0; k < np; k++) sig[k] = rnd();
        exactKeys[2 * i] = rnd();
        exactKeys[2 * i + 1] = rnd();
      }
      shortFlags[i] = roll >= 95 ? 1 : 0;
      if (shortFlags[i]) sig.fill(0);
      else
        for (let b = 0; b < B; b++) {
          let hh = 0x811c9dc5 ^ b;
          for (let j = 0; j < r; j++) hh = Math.imul(hh ^ sig[b * r + j], 0x01000193);
          bandKeys[i * B + b] = hh >>> 0;
        }
      const slot = ringN++ % RING;
      ringSig.set(sig, slot * np);
      ringEx[2 * slot] = exactKeys[2 * i];
      ringEx[2 * slot + 1] = exactKeys[2 * i + 1];
    }
    const rel = `${key}.bin`;
    const f = path.join(sigDir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    writeColumns(f, { v: 3, key, n, segment: { [key.slice(0, 5)]: n } }, { author, locale, chars, sigs, bandKeys, exactKeys, times, ties, shortFlags, ...Names.of(authors).columns('author') });
    index.partitions.push({ key, fingerprint: `bench-${p}-${n}`, outputs: [{ path: rel, bytes: fs.statSync(f).size }] });
  }
  index.partitions.sort((a, b) => (a.key < b.key ? -1 : 1));
  fs.writeFileSync(path.join(sigDir, '_complete.json'), JSON.stringify(index));
}

/** Where each step's completion markers are (their stats say what the step spilled). */
const STEP_DIRS = { 'dedup-pairs': 'dedup/pairs', 'dedup-clusters': 'dedup/clusters', 'shards-counts': 'dedup/counts', 'shards-quotas': 'shards-work/shards/quotas', 'shards-sample': 'shards-work/shards/sample' };
const spilledIn = (dir, d) => {
  const done = path.join(dir, d, '_done');
  if (!fs.existsSync(done)) return 0;
  return fs.readdirSync(done, { recursive: true }).filter((x) => String(x).endsWith('.json')).reduce((a, f) => a + (JSON.parse(fs.readFileSync(path.join(done, f), 'utf8')).stats?.spilled ?? 0), 0);
};
const after0 = (rows) => rows.filter((r) => !r.step.startsWith('in-memory'));

const du = (d) => {
  if (!fs.existsSync(d)) return 0;
  return fs.readdirSync(d, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? du(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
};

if (args[0] === '--step') {
  await child(args[1], args[3], Number(arg('budget', 64 << 20)), Number(arg('rank', 0)), Number(arg('world', 1)));
} else {
  const DOCS = Number(arg('docs', 2_000_000));
  // signature files of a fixed size (as a real build's, one per input file and locale): a step whose memory followed the corpus would grow with N, one that followed its partition would not
  const PARTS = Number(arg('parts', Math.max(1, Math.ceil(DOCS / Number(arg('part-docs', 125_000))))));
  if (!(Number.isInteger(PARTS) && PARTS >= 1 && PARTS <= DOCS)) throw new Error(`plan bench: --parts / --part-docs must give 1 to ${DOCS} files (got ${PARTS})`);
  const BUDGET = Number(arg('budget-mb', 64)) << 20;
  const WORKERS = Number(arg('workers', 1));
  const dir = path.join(root, 'bench-out', `plan-${DOCS}-${PARTS}`);
  if (!fs.existsSync(path.join(dir, 'signatures', '_complete.json'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    const t = Date.now();
    await generate(dir, DOCS, PARTS);
    console.error(`generated ${DOCS} docs in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  if (args.includes('--generate-only')) process.exit(0);
  // --from STEP: keep the outputs of the steps before it (a budget sweep re-runs only the late steps)
  const STEPS = ['dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample'];
  const from = arg('from', STEPS[0]);
  if (!STEPS.includes(from)) throw new Error(`plan bench: --from must be one of ${STEPS.join(', ')}`);
  const to = arg('to', STEPS[STEPS.length - 1]);
  if (!STEPS.includes(to)) throw new Error(`plan bench: --to must be one of ${STEPS.join(', ')}`);
  const run = STEPS.slice(STEPS.indexOf(from), STEPS.indexOf(to) + 1);
  if (!run.length) throw new Error(`plan bench: --to ${to} comes before --from ${from}`);
  if (from === STEPS[0]) for (const d of ['dedup', 'shards-work', 'before']) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  else for (const st of run) fs.rmSync(path.join(dir, STEP_DIRS[st]), { recursive: true, force: true });
  const sigBytes = du(path.join(dir, 'signatures'));
  const rows = [];
  const common = ['--budget', String(BUDGET)];
  // the in-memory plan and the doc-by-doc check need every step run
  const skipBefore = args.includes('--skip-before') || from !== STEPS[0] || to !== STEPS[STEPS.length - 1];
  if (!skipBefore) rows.push({ step: 'in-memory plan (before)', ...(await proc(['--step', 'before', '--dir', dir, ...common])) });
  for (const step of run) {
    const map = ['dedup-pairs', 'shards-counts', 'shards-sample'].includes(step);
    const t = Date.now();
    let rss = 0;
    let cpu = 0;
    if (map && WORKERS > 1)
      for (const r of await Promise.all(Array.from({ length: WORKERS }, (_, rank) => proc(['--step', step, '--dir', dir, ...common, '--rank', String(rank), '--world', String(WORKERS)])))) {
        rss = Math.max(rss, r.rss);
        cpu += r.cpu;
      }
    const last = await proc(['--step', step, '--dir', dir, ...common]);
    rows.push({ step, secs: (Date.now() - t) / 1000, cpu: cpu + last.cpu, rss: Math.max(rss, last.rss), spilled: spilledIn(dir, STEP_DIRS[step]), stats: last.stats });
  }
  const spilled = after0(rows).reduce((a, r) => a + r.spilled, 0);
  const check = skipBefore ? null : await proc(['--step', 'check', '--dir', dir, ...common]);
  console.log(`\nplan bench — ${DOCS.toLocaleString('en-US')} docs in ${PARTS} signature files (${(sigBytes / 1e6).toFixed(0)} MB), sort budget ${BUDGET >> 20} MB, ${WORKERS} worker(s); ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}\n`);
  console.log('| step | wall s | CPU s | CPU µs/doc | peak RSS MB | spilled MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.step} | ${r.secs.toFixed(1)} | ${r.cpu.toFixed(1)} | ${((r.cpu * 1e6) / DOCS).toFixed(2)} | ${r.rss.toFixed(0)} | ${r.spilled === undefined ? '' : (r.spilled / 1e6).toFixed(0)} |`);
  const after = after0(rows);
  console.log(`\nafter: ${after.reduce((s, r) => s + r.secs, 0).toFixed(1)} s in all (${after.reduce((s, r) => s + r.cpu, 0).toFixed(1)} CPU s), peak RSS of any step ${Math.max(...after.map((r) => r.rss)).toFixed(0)} MB; spilled ${(spilled / 1e6).toFixed(0)} MB of sorted runs; pair files ${(du(path.join(dir, 'dedup', 'pairs')) / 1e6).toFixed(1)} MB`);
  if (check) console.log(`same result: ${check.stats.differ} of ${DOCS} docs differ in times taken or split (before: ${rows[0].stats.duplicates} duplicates, ${rows[0].stats.achieved} taken; after: ${check.stats.duplicates} duplicates, ${check.stats.taken} taken)`);
}
