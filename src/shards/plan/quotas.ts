import fs from 'node:fs';
import path from 'node:path';
import { readColumns, writeColumns } from '../../io/columns.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { planTargets } from '../balance.js';
import { assignSplits } from '../splits.js';
import { VERSION, countsDir, quotasDir, type PlanSetup } from './common.js';
import { readCounts } from './counts.js';

/** What the quotas step decides: per-locale supply and targets, and the counts for the manifest. */
export interface Quotas {
  v: number;
  supply: { [l: string]: { docs: number; chars: number } };
  targets: { [l: string]: number };
  segment: { [l: string]: number };
  dedup: { [l: string]: { in: number; duplicates: number } };
  /** authors with kept docs, sorted; their split is the `split` column of authors.bin */
  authors: number;
}

const quotasFile = (s: PlanSetup) => path.join(quotasDir(s), 'quotas.json');
const authorsFile = (s: PlanSetup) => path.join(quotasDir(s), 'authors.bin');

/**
 * `shards-quotas` (one task): sums the counts; per-locale targets (`planTargets`); the
 * author-disjoint split of every author with kept docs (`assignSplits`, from per (author,
 * locale) counts), written as a sorted author table.
 */
export async function runShardsQuotas(s: PlanSetup, counts: CompletionIndex): Promise<CompletionIndex> {
  const dir = quotasDir(s);
  await runPartitions<{ authors: number }>({
    stage: 'shards-quotas',
    dir,
    version: VERSION,
    common: { balance: s.balance, splits: s.splits, seed: s.seed },
    partitions: [{ key: 'all', input: countsDir(s), upstream: counts.fingerprint, weight: s.total || 1 }],
    rank: 0,
    world: 1,
    quiet: s.quiet,
    run: async (_p, out) => {
      const supply: Quotas['supply'] = {};
      const segment: Quotas['segment'] = {};
      const dedup: Quotas['dedup'] = {};
      const byAuthor = new Map<string, Map<number, number>>();
      for (const part of s.parts) {
        const c = readCounts(s, part);
        for (const [l, n] of Object.entries(c.header.segment)) segment[l] = (segment[l] ?? 0) + n;
        for (const [l, x] of Object.entries(c.header.locales)) {
          const d = (dedup[l] ??= { in: 0, duplicates: 0 });
          d.in += x.in;
          d.duplicates += x.duplicates;
          if (x.docs) {
            const sp = (supply[l] ??= { docs: 0, chars: 0 });
            sp.docs += x.docs;
            sp.chars += x.chars;
          }
        }
        for (let i = 0; i < c.acKey.length; i++) {
          const a = c.header.authors[Math.floor(c.acKey[i] / 256)];
          const l = c.acKey[i] % 256;
          let m = byAuthor.get(a);
          if (!m) byAuthor.set(a, (m = new Map()));
          m.set(l, (m.get(l) ?? 0) + c.acCount[i]);
        }
      }
      const authors = [...byAuthor.keys()].sort();
      function* pairs(): Generator<[number, number]> {
        for (let a = 0; a < authors.length; a++) for (const [l, n] of byAuthor.get(authors[a])!) yield [a * 256 + l, n];
      }
      const split = assignSplits(s.seed, authors, pairs(), s.splits);
      byAuthor.clear();
      const width = authors[0]?.length ?? 32;
      if (authors.some((a) => a.length !== width || /[^\x20-\x7e]/.test(a))) throw new Error('shards-quotas: author pseudonyms of unequal length');
      writeColumns(out.file('authors.bin'), { v: VERSION, n: authors.length, width }, { ids: Buffer.from(authors.join(''), 'latin1'), split });
      const sorted = <T>(o: { [k: string]: T }) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const q: Quotas = { v: VERSION, supply: sorted(supply), targets: planTargets(supply, s.balance), segment: sorted(segment), dedup: sorted(dedup), authors: authors.length };
      writeJsonAtomic(out.file('quotas.json'), q);
      return { authors: authors.length };
    },
  });
  return readCompletion(dir, 'shards-quotas', 'run `vernacular run-stage shards-quotas` first');
}

export function readQuotas(s: PlanSetup): Quotas {
  const q = JSON.parse(fs.readFileSync(quotasFile(s), 'utf8')) as Quotas;
  if (q.v !== VERSION) throw new InputError(`${quotasFile(s)}: stale; re-run \`vernacular run-stage shards-quotas\``);
  return q;
}

/** The split table: sorted fixed-width author ids and their split, looked up by binary search. */
export class AuthorSplits {
  private ids: Buffer;
  private split: Uint8Array;
  private width: number;
  readonly n: number;
  constructor(s: PlanSetup) {
    const { header, columns } = readColumns<{ n: number; width: number }>(authorsFile(s));
    const u8 = columns.ids as Uint8Array;
    this.ids = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    this.split = columns.split as Uint8Array;
    this.width = header.width;
    this.n = header.n;
  }
  /** The author's split (0 train, 1 validation, 2 test); 0 for an author without kept docs (as the in-memory plan). */
  of(author: string): number {
    const w = this.width;
    const key = Buffer.from(author, 'latin1');
    if (key.length !== w) return 0;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.ids.compare(key, 0, w, mid * w, mid * w + w);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return this.split[mid];
    }
    return 0;
  }
}
