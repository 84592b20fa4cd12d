/**
 * Speed and yield of scrubPii over the sample export's texts (posts and comments) plus the chat gold set.
 * Usage: npx tsx scripts/pii/bench.ts [rounds] [post|chat]   (SHOW=ADDRESS,DOB prints the docs with those kinds)
 * Prints µs per doc and the placeholder counts per kind (to eyeball new false positives on real-looking posts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { scrubPii, type PiiMode } from '../../src/shards/pii.js';

const root = path.resolve(import.meta.dirname, '../..');
const docs: Array<[string, string]> = [];
for (const f of ['posts-2024.jsonl', 'posts-2025.jsonl', 'posts-2026.jsonl']) {
  for (const l of fs.readFileSync(path.join(root, 'corpora/sample/export', f), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l);
    if (typeof r.body === 'string') docs.push([r.body, r.country_code]);
  }
}
const rounds = Number(process.argv[2] ?? 20);
const mode = (process.argv[3] ?? 'post') as PiiMode;
const counts: Record<string, number> = {};
const examples: string[] = [];
for (const [t, c] of docs) {
  const r = scrubPii(t, c, mode);
  for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n!;
  if (process.env.SHOW && Object.keys(r.counts).some((k) => process.env.SHOW!.split(',').includes(k))) examples.push(`${c}: ${r.text}`);
}
for (let i = 0; i < 3; i++) for (const [t, c] of docs) scrubPii(t, c, mode);
// CPU time (less disturbed by other processes than wall time), median over blocks of one pass each
const blocks: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t0 = process.cpuUsage();
  for (const [t, c] of docs) scrubPii(t, c, mode);
  const u = process.cpuUsage(t0);
  blocks.push((u.user + u.system) / docs.length);
}
const us = blocks.sort((a, b) => a - b)[blocks.length >> 1];
console.log(`${mode}: ${docs.length} docs, median of ${rounds} passes: ${us.toFixed(1)} µs CPU/doc; placeholders ${JSON.stringify(counts)}`);
if (examples.length) console.log(examples.join('\n'));
