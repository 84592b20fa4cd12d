import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../../io/atomic.js';
import { ExternalSorter } from '../../io/extsort.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import type { LocalePlan } from '../balance.js';
import { rmrf } from '../writer.js';
import { VERSION, countsDir, sampleDir, spillDir, type PlanSetup } from './common.js';
import { readCounts } from './counts.js';
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
 * `shards-sample` (partitioned over locales): the locale's kept docs as (tie key, index,
 * author) records, external-sorted, scanned like `sampleLocale`: candidates in tie-key order,
 * authors at the cap skipped, further passes while short and `max_repeat` allows. What it keeps
 * is small: the last take (the stop) and each capped author's cap-th take. A doc's takes are
 * then the passes p whose event (p, tie, index) is at or before both.
 */
export async function runShardsSample(s: PlanSetup, quotas: CompletionIndex): Promise<CompletionIndex | undefined> {
  const q = readQuotas(s);
  const dir = sampleDir(s);
  const locales = Object.keys(q.supply).sort();
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
      const spill = spillDir(dir, p.key);
      const sorter = new ExternalSorter({ recordSize: 12, keyBytes: 8, budget: s.budget, dir: spill });
      const authorId = new Map<string, number>();
      const authorNames: string[] = [];
      try {
        for (const part of s.parts) {
          const c = readCounts(s, part);
          const local = new Int32Array(c.header.authors.length).fill(-1);
          for (let k = 0; k < c.kLocal.length; k++) {
            if (c.kLocale[k] !== li) continue;
            const fa = c.kAuthor[k];
            if (local[fa] < 0) {
              const name = c.header.authors[fa];
              let id = authorId.get(name);
              if (id === undefined) authorId.set(name, (id = authorNames.push(name) - 1));
              local[fa] = id;
            }
            const [buf, off] = sorter.slot();
            buf.writeUInt32BE(c.kTie[k], off);
            buf.writeUInt32BE(part.start + c.kLocal[k], off + 4);
            buf.writeUInt32LE(local[fa], off + 8);
          }
        }
        authorId.clear();
        const cands = sorter.count;
        const cap = Math.max(1, Math.floor(b.author_cap * target));
        const perAuthor = new Uint32Array(authorNames.length);
        let n = 0;
        let capped = 0;
        let firsts = 0;
        let stop: Event | null = null;
        const caps: LocaleSample['caps'] = [];
        for (let pass = 1; pass <= b.max_repeat && n < target; pass++) {
          sorter.sorted((buf, off) => {
            if (n >= target) return;
            const a = buf.readUInt32LE(off + 8);
            if (perAuthor[a] >= cap) {
              capped++;
              return;
            }
            const ev: Event = [pass, buf.readUInt32BE(off), buf.readUInt32BE(off + 4)];
            if (++perAuthor[a] === cap) caps.push({ author: authorNames[a], at: ev });
            if (pass === 1) firsts++;
            n++;
            stop = ev;
          });
        }
        let shortfall: string | undefined;
        if (n < target) {
          const maxPossible = cands * b.max_repeat;
          shortfall = maxPossible < target ? `only ${cands} docs available (× max_repeat ${b.max_repeat} = ${maxPossible})` : `author cap ${Math.round(b.author_cap * 100)}% (${cap} docs per author) skipped ${capped} docs`;
        }
        const plan: LocalePlan = { available: q.supply[l].docs, target, achieved: n, repeated: n - firsts, shortfall };
        const res: LocaleSample = { v: VERSION, locale: l, maxRepeat: b.max_repeat, stop: n < target ? 'all' : stop, caps, plan };
        writeJsonAtomic(out.file(`${l}.json`), res);
        return { records: cands, spilled: sorter.spilled, runs: sorter.runCount };
      } finally {
        sorter.close();
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
