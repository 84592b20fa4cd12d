#!/usr/bin/env node
/**
 * Same result on a real build: the map/reduce plan a finished build's shards were written from
 * (its dedup/, quotas and samples, as the write step reads them: `docPlan` per partition) against
 * the single-process plan (`inMemoryPlan`) computed here from the same signature files with the
 * build's own dedup, balance, split and seed settings. Prints how many docs differ in times taken
 * or split (0 means the shards are what the single-process plan would have written), with the
 * duplicates and takes of both.
 *
 *   npm run build && VERNACULAR_SECRET=... node scripts/bench/plan-check.mjs -c CONFIG -o BUILD
 *
 * Holds the in-memory plan (~250 B per doc): meant for builds of a few million docs. Writes the
 * plan's tables back into the build's work folder (`shards-work/`) when the build removed them.
 */
import path from 'node:path';

const args = process.argv.slice(2);
const arg = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
const config = arg('-c');
const out = arg('-o');
if (!config || !out) {
  console.error('usage: node scripts/bench/plan-check.mjs -c CONFIG -o BUILD');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dist = (m) => import(path.join(root, 'dist', m));
const { buildContext } = await dist('pipeline/context.js');
const { shardsSetup, planSetup } = await dist('shards/setup.js');
const { readCompletion } = await dist('pipeline/runner.js');
const { inMemoryPlan } = await dist('shards/plan/in-memory.js');
const { planTables, docPlan } = await dist('shards/plan/tables.js');
const { readQuotas } = await dist('shards/plan/quotas.js');
const { planShards } = await dist('shards/plan/run.js');

const ctx = buildContext({ config, out }, 'shards-plan', { quiet: true });
const s = shardsSetup(ctx);
const sigs = readCompletion(s.sigDir, 'signatures', 'build it first');
const ps = planSetup(ctx, s, sigs);
// a finished build has removed its work folder (quotas, samples): the plan steps run again where
// their outputs are gone (same fingerprints: the same tables the write step used)
await planShards(ctx, {}, s);
const t0 = Date.now();
const want = inMemoryPlan(
  ps.parts.map((p) => p.file),
  { seed: ps.seed, dedup: ps.dedup, balance: ps.balance, splits: ps.splits, localeNames: ps.localeNames },
);
const t1 = Date.now();
const tables = planTables(ps);
let differ = 0;
let taken = 0;
for (const p of ps.parts) {
  const g = docPlan(ps, p, tables);
  for (let k = 0; k < p.n; k++) {
    if (g.times[k] !== want.times[p.start + k] || g.split[k] !== want.split[p.start + k]) differ++;
    taken += g.times[k];
  }
}
const dupIn = Object.values(want.dedupCounts).reduce((a, d) => a + d.duplicates, 0);
const dupOut = Object.values(readQuotas(ps).dedup).reduce((a, d) => a + d.duplicates, 0);
const takenIn = Object.values(want.balance).reduce((a, x) => a + x.achieved, 0);
console.log(`plan check — ${out}: ${ps.total.toLocaleString('en-US')} docs in ${ps.parts.length} signature files (in-memory plan ${((t1 - t0) / 1000).toFixed(1)} s)`);
console.log(`same result: ${differ} of ${ps.total} docs differ in times taken or split (single-process plan: ${dupIn} duplicates, ${takenIn} taken; the build's plan: ${dupOut} duplicates, ${taken} taken)`);
process.exitCode = differ ? 1 : 0;
