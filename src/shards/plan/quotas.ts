import fs from 'node:fs';
import path from 'node:path';
import { RawWriter, Scratch, readColumns, writeColumnsFromFiles } from '../../io/columns.js';
import { ExternalSorter } from '../../io/extsort.js';
import { seededHash } from '../../hash.js';
import { rmrf, writeJsonAtomic } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { planTargets } from '../balance.js';
import { VERSION, chunkRows, countsDir, quotasDir, spillDir, type PlanSetup } from './common.js';
import { CountsReader } from './counts.js';

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

/** The split rule's author order: `seededHash(seed, 'split', author)`, as `assignSplits` (splits.ts) orders them. */
const splitHash = (seed: number, author: string) => seededHash(seed, 'split', author);

/**
 * `shards-quotas` (one task): sums the counts; per-locale targets (`planTargets`); the
 * author-disjoint split of every author with kept docs — `assignSplits`' rule, computed from
 * sorted streams so memory stays within the budget whatever the number of authors:
 *   1. the (author, locale, docs) counts of every partition, external-sorted by author then
 *      locale → per author its docs and primary locale (most docs, then smaller locale), its
 *      ordinal in name order (the table's row) and name written out as they come;
 *   2. (primary locale, split hash, ordinal, docs) external-sorted → per locale, authors in
 *      hash order each to the split furthest below its share (`assignSplits`' greedy);
 *   3. (ordinal, split) sorted back into row order → the table's split column.
 */
export async function runShardsQuotas(s: PlanSetup, counts: CompletionIndex): Promise<CompletionIndex> {
  const dir = quotasDir(s);
  await runPartitions<{ authors: number; spilled: number }>({
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
      const spill = spillDir(dir, 'all');
      // each sorter gets half the budget: two are alive at a time (one merging, the next filling)
      const budget = Math.floor(s.budget / 2);
      const unequal = () => new Error('shards-quotas: author pseudonyms of unequal length');
      let width = -1;
      let W = 0;
      let byAuthor: ExternalSorter | undefined;
      const sorters: ExternalSorter[] = [];
      const sorter = (o: { recordSize: number; keyBytes: number; sub: string }) => {
        const x = new ExternalSorter({ recordSize: o.recordSize, keyBytes: o.keyBytes, budget, dir: path.join(spill, o.sub) });
        sorters.push(x);
        return x;
      };
      try {
        const chunk = chunkRows(12, s.budget);
        const scratch = new Scratch();
        for (const part of s.parts) {
          const c = new CountsReader(s, part, chunk, scratch);
          try {
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
            let fa = -1;
            let name = '';
            c.eachCount((acKey, acCount) => {
              for (let i = 0; i < acKey.length; i++) {
                const a = Math.floor(acKey[i] / 256);
                if (a !== fa) {
                  fa = a;
                  name = c.authors.get(a);
                  if (width < 0) {
                    width = name.length;
                    // the key must be at least 4 bytes: pad short names with zeros (all alike, so the order holds)
                    W = Math.max(width, 3);
                    byAuthor = sorter({ recordSize: W + 5, keyBytes: W + 1, sub: 'a' });
                  }
                  if (name.length !== width || /[^\x20-\x7e]/.test(name)) throw unequal();
                }
                const [buf, off] = byAuthor!.slot();
                buf.fill(0, off, off + W);
                buf.write(name, off, 'latin1');
                buf[off + W] = acKey[i] % 256;
                buf.writeUInt32BE(acCount[i], off + W + 1);
              }
            });
          } finally {
            c.close();
          }
        }
        if (width < 0) width = 32;
        // 1. per author: docs, primary locale; rows in name order
        fs.mkdirSync(spill, { recursive: true });
        const idsFile = path.join(spill, 'ids.raw');
        const splitFile = path.join(spill, 'split.raw');
        const ids = new RawWriter(idsFile);
        const byLocale = sorter({ recordSize: 13, keyBytes: 9, sub: 'b' });
        const localeAuthors = new Float64Array(256);
        const localeDocs = new Float64Array(256);
        let rows = 0;
        const cur = Buffer.alloc(W);
        let has = false;
        let loc = -1;
        let locN = 0;
        let docs = 0;
        let primary = -1;
        let primaryN = 0;
        const endLocale = () => {
          docs += locN;
          // locales come in ascending order: a tie keeps the smaller
          if (primary < 0 || locN > primaryN) {
            primary = loc;
            primaryN = locN;
          }
        };
        const endAuthor = () => {
          endLocale();
          const [ib, io] = ids.slot(width);
          cur.copy(ib, io, 0, width);
          const [buf, off] = byLocale.slot();
          buf[off] = primary;
          buf.writeUInt32BE(splitHash(s.seed, cur.toString('latin1', 0, width)), off + 1);
          buf.writeUInt32BE(rows, off + 5);
          buf.writeUInt32BE(docs, off + 9);
          localeAuthors[primary]++;
          localeDocs[primary] += docs;
          rows++;
        };
        byAuthor?.sorted((buf, off) => {
          const l = buf[off + W];
          const n = buf.readUInt32BE(off + W + 1);
          if (!has || buf.compare(cur, 0, W, off, off + W) !== 0) {
            if (has) endAuthor();
            buf.copy(cur, 0, off, off + W);
            has = true;
            loc = l;
            locN = n;
            docs = 0;
            primary = -1;
            primaryN = 0;
          } else if (l !== loc) {
            endLocale();
            loc = l;
            locN = n;
          } else locN += n;
        });
        if (has) endAuthor();
        ids.close();
        byAuthor?.close();
        // 2. per primary locale, authors in split-hash order (then name: the row), the greedy
        const shares = [s.splits.train, s.splits.validation, s.splits.test];
        const bySplit = sorter({ recordSize: 5, keyBytes: 4, sub: 'c' });
        let at = -1;
        let i = 0;
        let got = [0, 0, 0];
        let seeded: number[] = [];
        let t = 0;
        byLocale.sorted((buf, off) => {
          const l = buf[off];
          if (l !== at) {
            at = l;
            i = 0;
            got = [0, 0, 0];
            t = localeDocs[l];
            seeded = localeAuthors[l] >= 3 ? [0, 1, 2].filter((k) => shares[k] > 0) : [];
          }
          const n = buf.readUInt32BE(off + 9);
          const pick = i < seeded.length ? seeded[seeded.length - 1 - i] : [0, 1, 2].reduce((best, k) => (shares[k] * t - got[k] > shares[best] * t - got[best] ? k : best), 0);
          got[pick] += n;
          i++;
          const [b, o] = bySplit.slot();
          buf.copy(b, o, off + 5, off + 9);
          b[o + 4] = pick;
        });
        byLocale.close();
        // 3. back into row order
        const split = new RawWriter(splitFile);
        bySplit.sorted((buf, off) => {
          const [b, o] = split.slot(1);
          b[o] = buf[off + 4];
        });
        split.close();
        writeColumnsFromFiles(out.file('authors.bin'), { v: VERSION, n: rows, width }, [
          { name: 'ids', type: 'u8', file: idsFile },
          { name: 'split', type: 'u8', file: splitFile },
        ]);
        const sorted = <T>(o: { [k: string]: T }) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        const q: Quotas = { v: VERSION, supply: sorted(supply), targets: planTargets(supply, s.balance), segment: sorted(segment), dedup: sorted(dedup), authors: rows };
        writeJsonAtomic(out.file('quotas.json'), q);
        return { authors: rows, spilled: sorters.reduce((a, x) => a + x.spilled, 0) };
      } finally {
        for (const x of sorters) x.close();
        rmrf(spill);
      }
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
  private readonly ids: Buffer;
  private readonly split: Uint8Array;
  private readonly width: number;
  /** each id's first 8 bytes as two big-endian numbers (zero-padded): the search compares these, and the remaining bytes only where they are equal */
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  readonly n: number;
  /** `ids`: n ids of `width` bytes each, sorted by bytes; `split`: each one's split. */
  constructor(ids: Buffer, split: Uint8Array, width: number, n: number) {
    this.ids = ids;
    this.split = split;
    this.width = width;
    this.n = n;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    const byte = (i: number, k: number) => (k < width ? ids[i * width + k] : 0);
    for (let i = 0; i < n; i++) {
      this.hi[i] = ((byte(i, 0) << 24) | (byte(i, 1) << 16) | (byte(i, 2) << 8) | byte(i, 3)) >>> 0;
      this.lo[i] = ((byte(i, 4) << 24) | (byte(i, 5) << 16) | (byte(i, 6) << 8) | byte(i, 7)) >>> 0;
    }
  }

  /** The split table the quotas step wrote. */
  static read(s: PlanSetup): AuthorSplits {
    const { header, columns } = readColumns<{ n: number; width: number }>(authorsFile(s));
    const u8 = columns.ids as Uint8Array;
    return new AuthorSplits(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), columns.split as Uint8Array, header.width, header.n);
  }

  /** The author's split (0 train, 1 validation, 2 test); 0 for an author without kept docs (as the in-memory plan). */
  of(author: string): number {
    const w = this.width;
    // the id's bytes as Buffer.from(author, 'latin1') has them
    if (author.length !== w) return 0;
    const b = (k: number) => (k < w ? author.charCodeAt(k) & 0xff : 0);
    const kh = ((b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3)) >>> 0;
    const kl = ((b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7)) >>> 0;
    // a binary search that orders by the prefix numbers and reads bytes (from the 9th on) only
    // where they are equal: log2(n) steps whatever the ids share (ids with a common prefix, as
    // raw user names have, cost one byte comparison per step, never a scan)
    let key: Buffer | undefined;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const h = this.hi[mid];
      const l = this.lo[mid];
      let c: number; // the id at mid against the key
      if (h !== kh) c = h < kh ? -1 : 1;
      else if (l !== kl) c = l < kl ? -1 : 1;
      else if (w <= 8) c = 0;
      else c = this.ids.compare((key ??= Buffer.from(author, 'latin1')), 8, w, mid * w + 8, mid * w + w);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return this.split[mid];
    }
    return 0;
  }
}
