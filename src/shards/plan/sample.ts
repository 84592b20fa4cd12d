import fs from 'node:fs';
import path from 'node:path';
import { rmrf, writeJsonAtomic } from '../../io/atomic.js';
import { ExternalSorter } from '../../io/extsort.js';
import { Scratch } from '../../io/columns.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import type { LocalePlan } from '../balance.js';
import { VERSION, chunkRows, countsDir, sampleDir, spillDir, type PlanSetup } from './common.js';
import { CountsReader, countsFile } from './counts.js';
import { readQuotas } from './quotas.js';

/** A point in the sampler's scan: pass, tie key, doc index (compared in that order). */
export type Event = [number, number, number];
export const before = (a: Event, b: Event) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One locale's sample: where the scan stopped (null: nothing taken; 'all': never reached the target) and where capped authors reached the cap. */
export interface LocaleSample {
  v: number;
  locale: string;
  maxRepeat: number;
  stop: Event | 'all' | null;
  caps: Array<{ author: string; at: Event }>;
  plan: LocalePlan;
}

/**
 * `shards-sample` (partitioned over locales): `sampleLocale`'s scan — candidates in tie-key
 * order, authors at the cap skipped, further passes while short and `max_repeat` allows — without
 * a per-author counter. Before the stop every candidate below the cap is taken, so an author's
 * r-th event (r = (pass − 1) · m + j for its j-th doc in tie-key order, m its docs in the locale)
 * is taken iff r < cap: (1) the locale's (author, tie key, index) records and the per-author
 * counts, external-sorted by author, give every doc its j and m (docs with j ≥ cap are never
 * taken and go no further); (2) those (tie key, index, j, m, author) external-sorted by tie key
 * are scanned pass by pass. What it keeps is small: the last take (the stop) and each capped
 * author's cap-th take. A doc's takes are then the passes p whose event (p, tie, index) is at or
 * before both.
 */
export async function runShardsSample(s: PlanSetup, quotas: CompletionIndex): Promise<CompletionIndex | undefined> {
  const q = readQuotas(s);
  const dir = sampleDir(s);
  const locales = Object.keys(q.supply).sort();
  // the counts readers' buffers, kept across every partition of every locale this process runs
  const scratch = new Scratch();
  await runPartitions<{ records: number; spilled: number; runs: number }>({
    stage: 'shards-sample',
    dir,
    version: VERSION,
    common: { balance: s.balance, seed: s.seed },
    partitions: locales.map((l) => ({ key: l, input: countsDir(s), upstream: quotas.fingerprint, weight: q.supply[l].docs || 1 })),
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const l = p.key;
      const li = s.localeNames.indexOf(l);
      const target = q.targets[l];
      const b = s.balance;
      const cap = Math.max(1, Math.floor(b.author_cap * target));
      const spill = spillDir(dir, p.key);
      // two sorters alive at a time (the first merging while the second fills): half the budget each
      const budget = Math.floor(s.budget / 2);
      let width = -1;
      let W = 0;
      let byAuthor: ExternalSorter | undefined;
      let byTie: ExternalSorter | undefined;
      let cands = 0;
      try {
        // 1. (author, 0, count) per (author, locale) count and (author, 1, tie, index) per doc
        const rows = chunkRows(21, s.budget);
        for (const part of s.parts) {
          const c = new CountsReader(s, part, rows, scratch);
          const rec = (fa: number): [Buffer, number] => {
            const name = c.authors.get(fa);
            if (width < 0) {
              width = name.length;
              W = Math.max(width, 3);
              byAuthor = new ExternalSorter({ recordSize: W + 9, keyBytes: W + 9, budget, dir: path.join(spill, 'a') });
            }
            if (name.length !== width) throw new InputError(`${countsFile(s, part)}: author pseudonyms of unequal length`);
            const [buf, off] = byAuthor!.slot();
            buf.fill(0, off, off + W);
            buf.write(name, off, 'latin1');
            return [buf, off];
          };
          try {
            c.eachCount((acKey, acCount) => {
              for (let i = 0; i < acKey.length; i++) {
                if (acKey[i] % 256 !== li) continue;
                const [buf, off] = rec(Math.floor(acKey[i] / 256));
                buf[off + W] = 0;
                buf.writeUInt32BE(acCount[i], off + W + 1);
                buf.writeUInt32BE(0, off + W + 5);
              }
            });
            c.eachKept((kLocal, kLocale, kTie, kAuthor) => {
              for (let k = 0; k < kLocal.length; k++) {
                if (kLocale[k] !== li) continue;
                const [buf, off] = rec(kAuthor[k]);
                buf[off + W] = 1;
                buf.writeUInt32BE(kTie[k], off + W + 1);
                buf.writeUInt32BE(part.start + kLocal[k], off + W + 5);
              }
            });
          } finally {
            c.close();
          }
        }
        // (tie, index, j, m, author): the author's name only for the cap events
        const tie = (byTie = new ExternalSorter({ recordSize: 16 + Math.max(width, 0), keyBytes: 8, budget, dir: path.join(spill, 't') }));
        // per author: m from its counts, then its docs in (tie, index) order; those below the cap go on
        let m = 0;
        let j = 0;
        let capped = 0;
        const cur = Buffer.alloc(W);
        let has = false;
        const endAuthor = () => {
          if (j !== m) throw new InputError(`${countsDir(s)}: counts and kept docs disagree for an author of ${l}; re-run \`vernacular run-stage shards-counts\``);
          capped += Math.max(0, m * b.max_repeat - cap);
        };
        byAuthor?.sorted((buf, off) => {
          if (!has || buf.compare(cur, 0, W, off, off + W) !== 0) {
            if (has) endAuthor();
            buf.copy(cur, 0, off, off + W);
            has = true;
            m = 0;
            j = 0;
          }
          if (buf[off + W] === 0) {
            m += buf.readUInt32BE(off + W + 1);
            return;
          }
          cands++;
          if (j < cap) {
            const [tb, to] = tie.slot();
            buf.copy(tb, to, off + W + 1, off + W + 9);
            tb.writeUInt32LE(j, to + 8);
            tb.writeUInt32LE(m, to + 12);
            buf.copy(tb, to + 16, off, off + width);
          }
          j++;
        });
        if (has) endAuthor();
        byAuthor?.close();
        // 2. the scan: in pass p, the author's r-th event (r = (p − 1) · m + j) is taken iff r < cap
        let n = 0;
        let firsts = 0;
        let stop: Event | null = null;
        const caps: LocaleSample['caps'] = [];
        for (let pass = 1; pass <= b.max_repeat && n < target; pass++) {
          tie.sorted((buf, off) => {
            if (n >= target) return;
            const r = (pass - 1) * buf.readUInt32LE(off + 12) + buf.readUInt32LE(off + 8);
            if (r >= cap) return;
            const ev: Event = [pass, buf.readUInt32BE(off), buf.readUInt32BE(off + 4)];
            if (r === cap - 1) caps.push({ author: buf.toString('latin1', off + 16, off + 16 + width), at: ev });
            if (pass === 1) firsts++;
            n++;
            stop = ev;
          });
        }
        let shortfall: string | undefined;
        if (n < target) {
          // every pass ran to its end: each doc event not taken was skipped for the cap
          const maxPossible = cands * b.max_repeat;
          shortfall = maxPossible < target ? `only ${cands} docs available (× max_repeat ${b.max_repeat} = ${maxPossible})` : `author cap ${Math.round(b.author_cap * 100)}% (${cap} docs per author) skipped ${capped} docs`;
        }
        const plan: LocalePlan = { available: q.supply[l].docs, target, achieved: n, repeated: n - firsts, shortfall };
        const res: LocaleSample = { v: VERSION, locale: l, maxRepeat: b.max_repeat, stop: n < target ? 'all' : stop, caps, plan };
        writeJsonAtomic(out.file(`${l}.json`), res);
        return { records: cands, spilled: (byAuthor?.spilled ?? 0) + tie.spilled, runs: (byAuthor?.runCount ?? 0) + tie.runCount };
      } finally {
        byAuthor?.close();
        byTie?.close();
        rmrf(spill);
      }
    },
  });
  return s.world === 1 ? readCompletion(dir, 'shards-sample', 'run `vernacular run-stage shards-sample` first') : undefined;
}

export function readSamples(s: PlanSetup): Map<string, LocaleSample> {
  const q = readQuotas(s);
  const out = new Map<string, LocaleSample>();
  for (const l of Object.keys(q.supply).sort()) {
    const f = path.join(sampleDir(s), `${l}.json`);
    const x = JSON.parse(fs.readFileSync(f, 'utf8')) as LocaleSample;
    if (x.v !== VERSION || x.locale !== l) throw new InputError(`${f}: stale sample; re-run \`vernacular run-stage shards-sample\``);
    out.set(l, x);
  }
  return out;
}
