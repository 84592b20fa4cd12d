#!/usr/bin/env node
/**
 * Build benchmark on a generated corpus of ≥ 1M records: each stage of the build, in its own
 * process (so peak RSS is per stage), with throughput, peak RSS and the dedup index's bytes/doc.
 *
 *   npm run build && node scripts/bench/shards.mjs [--records 1000000]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const args = process.argv.slice(2);
const arg = (n, d) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const RECORDS = Number(arg('records', '1000000'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
// ~340 bytes per generated record (+5% margin so the corpus holds at least RECORDS)
const MB = Math.ceil((RECORDS * 360) / 1e6);
const dir = path.join(root, 'bench-out', `shards-${RECORDS}`);
if (!fs.existsSync(path.join(dir, 'vernacular.yaml'))) {
  execFileSync('npx', ['tsx', 'scripts/generate-export.ts', '--out', dir, '--mb', String(MB), '--files', '8'], { cwd: root, stdio: 'inherit' });
  // the generated config gets the sample's locales and a balanced plan
  fs.appendFileSync(
    path.join(dir, 'vernacular.yaml'),
    'segment:\n  locales: [en-IE, en-MT, mt-MT, de-DE, de-AT, lb-LU, fr-FR, fr-BE, nl-NL, nl-BE, es-ES, ca-ES, pt-PT, it-IT, sv-SE, sv-FI, el-GR, el-CY]\nshards:\n  balance: {strategy: temperature, alpha: 0.5}\n',
  );
}
const out = path.join(dir, 'out');
fs.rmSync(out, { recursive: true, force: true });
const input = fs.readdirSync(dir).filter((f) => f.startsWith('export-')).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
const rows = [];
for (const stage of ['filter', 'segment', 'features', 'shards']) {
  const t = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'bin/vernacular.js'), '--json', 'run-stage', stage, '-c', path.join(dir, 'vernacular.yaml'), '-o', out], {
    encoding: 'utf8',
    env: { ...process.env, VERNACULAR_SECRET: '19a317e5c204f0fdfb76772ade4c6c7336db53d9ba55788cc534fc81eec908bd' },
    maxBuffer: 1 << 28,
  });
  const secs = (Date.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${stage} failed: ${r.stderr}`);
  const rssKB = Number(r.stderr.trim().split('\n').pop());
  rows.push({ stage, secs, rssMB: rssKB / 1024 });
}
const manifest = JSON.parse(fs.readFileSync(path.join(out, 'shards', 'manifest.json'), 'utf8'));
const docsIn = Object.values(manifest.counts.dedup).reduce((s, d) => s + d.in, 0);
const records = manifest.counts.filter?.read ?? RECORDS;
console.log(`\nbuild benchmark — ${records.toLocaleString('en-US')} generated records, ${(input / 1e6).toFixed(0)} MB; ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; one process per stage, 1 worker\n`);
console.log('| stage | s | MB/s of input | records/s | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.stage} | ${r.secs.toFixed(1)} | ${(input / 1e6 / r.secs).toFixed(1)} | ${Math.round(records / r.secs).toLocaleString('en-US')} | ${r.rssMB.toFixed(0)} |`);
console.log(`\ndedup: ${docsIn.toLocaleString('en-US')} docs indexed, ${manifest.dedup_index_bytes_per_doc} bytes/doc (signature ${manifest.params.dedup.num_perm}×4 B + bands + exact-hash entry), ${Object.values(manifest.counts.dedup).reduce((s, d) => s + d.duplicates, 0).toLocaleString('en-US')} duplicates; ${manifest.shards.length} shard files`);
