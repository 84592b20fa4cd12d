import path from 'node:path';
import { ColumnFile, Names, Scratch, writeColumns } from '../../io/columns.js';
import { AUTHORS } from '../signatures.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { VERSION, countsDir, openSig, type PlanSetup, type SigHeader, type SigPart } from './common.js';
import { readDrop } from './clusters.js';

interface CountsHeader {
  v: number;
  key: string;
  n: number;
  segment: { [l: string]: number };
  locales: { [l: string]: { in: number; duplicates: number; docs: number; chars: number } };
}

export const countsFile = (s: PlanSetup, part: SigPart) => path.join(countsDir(s), `${part.key}.bin`);

/**
 * `shards-counts` (partitioned over the signature files): per partition, what the reduce and
 * the sampler need of its kept docs — local index, locale, tie key, author — and the counts:
 * per locale (in, duplicates, kept docs, chars), per (author, locale) kept docs.
 */
export async function runShardsCounts(s: PlanSetup, clusters: CompletionIndex): Promise<CompletionIndex | undefined> {
  const dir = countsDir(s);
  await runPartitions<{ kept: number }>({
    stage: 'shards-counts',
    dir,
    version: VERSION,
    common: { locales: s.localeNames },
    partitions: s.parts.map((p) => ({ key: p.key, input: p.file, upstream: { sig: p.fingerprint, clusters: clusters.fingerprint }, weight: p.n || 1 })),
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const part = s.parts.find((x) => x.key === p.key)!;
      // only the columns it needs (13 B per doc), not the signatures
      const f = openSig(part);
      let sh: SigHeader, author: Uint32Array, locale: Uint8Array, chars: Uint32Array, ties: Uint32Array, names: Names;
      try {
        sh = f.header;
        // the signature file's author pseudonyms (the `kAuthor` column indexes them), copied as bytes
        names = Names.read(f, AUTHORS);
        author = f.read<Uint32Array>('author');
        locale = f.read<Uint8Array>('locale');
        chars = f.read<Uint32Array>('chars');
        ties = f.read<Uint32Array>('ties');
      } finally {
        f.close();
      }
      const dropped = readDrop(s, part);
      const locales: CountsHeader['locales'] = {};
      const kLocal = new Uint32Array(part.n);
      const kLocale = new Uint8Array(part.n);
      const kTie = new Uint32Array(part.n);
      const kAuthor = new Uint32Array(part.n);
      let kept = 0;
      for (let k = 0; k < part.n; k++) {
        const l = s.localeNames[locale[k]];
        const lc = (locales[l] ??= { in: 0, duplicates: 0, docs: 0, chars: 0 });
        lc.in++;
        if (dropped[k]) {
          lc.duplicates++;
          continue;
        }
        lc.docs++;
        lc.chars += chars[k];
        kLocal[kept] = k;
        kLocale[kept] = locale[k];
        kTie[kept] = ties[k];
        kAuthor[kept] = author[k];
        kept++;
      }
      // per (author, locale) kept docs: the keys sorted, then counted by runs (8 B per kept doc, no map)
      const sorted = new Float64Array(kept);
      for (let i = 0; i < kept; i++) sorted[i] = kAuthor[i] * 256 + kLocale[i];
      sorted.sort();
      const acCount = new Uint32Array(kept);
      let nk = 0;
      for (let i = 0; i < kept; i++) {
        if (!i || sorted[i] !== sorted[i - 1]) sorted[nk++] = sorted[i];
        acCount[nk - 1]++;
      }
      const header: CountsHeader = { v: VERSION, key: part.key, n: part.n, segment: sh.segment, locales };
      writeColumns(out.file(`${part.key}.bin`), header, {
        kLocal: kLocal.subarray(0, kept),
        kLocale: kLocale.subarray(0, kept),
        kTie: kTie.subarray(0, kept),
        kAuthor: kAuthor.subarray(0, kept),
        acKey: sorted.subarray(0, nk),
        acCount: acCount.subarray(0, nk),
        ...names.columns(AUTHORS),
      });
      return { kept };
    },
  });
  return s.world === 1 ? readCompletion(dir, 'shards-counts', 'run `vernacular run-stage shards-counts` first') : undefined;
}

export interface Counts {
  header: CountsHeader;
  /** the partition's author pseudonyms: `kAuthor` and `acKey / 256` index them */
  authors: Names;
  kLocal: Uint32Array;
  kLocale: Uint8Array;
  kTie: Uint32Array;
  kAuthor: Uint32Array;
  acKey: Float64Array;
  acCount: Uint32Array;
}

export function readCounts(s: PlanSetup, part: SigPart): Counts {
  const c = new CountsReader(s, part, Infinity);
  try {
    return { header: c.header, authors: c.authors, ...c.whole() };
  } finally {
    c.close();
  }
}

/**
 * A counts file read in row chunks (the reduces read every partition's counts: their memory
 * then follows the chunk, not the partition). Buffers are reused from chunk to chunk.
 */
export class CountsReader {
  readonly header: CountsHeader;
  readonly authors: Names;
  private f: ColumnFile<CountsHeader>;
  constructor(
    s: PlanSetup,
    part: SigPart,
    private readonly rows: number,
    /** buffers kept across the partitions a task reads (the pseudonyms and the chunks are then views of them, valid until the next reader) */
    private readonly scratch?: Scratch,
  ) {
    this.f = ColumnFile.open<CountsHeader>(countsFile(s, part));
    try {
      this.header = this.f.header;
      if (this.header.key !== part.key || this.header.n !== part.n || this.header.v !== VERSION) throw new InputError(`${countsFile(s, part)}: stale counts; re-run \`vernacular run-stage shards-counts\``);
      this.authors = Names.read(this.f, AUTHORS, scratch);
    } catch (e) {
      this.f.close();
      throw e;
    }
  }
  /** Every column whole (the write step's per-partition decision needs them all at once). */
  whole(): Omit<Counts, 'header' | 'authors'> {
    const f = this.f;
    return { kLocal: f.read('kLocal'), kLocale: f.read('kLocale'), kTie: f.read('kTie'), kAuthor: f.read('kAuthor'), acKey: f.read('acKey'), acCount: f.read('acCount') };
  }
  /** Each chunk of the (author · 256 + locale, kept docs) counts, sorted by key. */
  eachCount(each: (key: Float64Array, count: Uint32Array) => void): void {
    const n = this.f.length('acKey');
    const m = Math.min(n, this.rows);
    const kb = this.scratch?.get('acKey', Float64Array, m) ?? new Float64Array(m);
    const cb = this.scratch?.get('acCount', Uint32Array, m) ?? new Uint32Array(m);
    for (let a = 0; a < n; a += this.rows) {
      const e = Math.min(n, a + this.rows);
      each(this.f.read('acKey', a, e, kb), this.f.read('acCount', a, e, cb));
    }
  }
  /** Each chunk of the kept docs' columns: local index, locale, tie key, author. */
  eachKept(each: (local: Uint32Array, locale: Uint8Array, tie: Uint32Array, author: Uint32Array) => void): void {
    const n = this.f.length('kLocal');
    const m = Math.min(n, this.rows);
    const x = this.scratch;
    const [lb, lc, tb, ab] = x ? [x.get('kLocal', Uint32Array, m), x.get('kLocale', Uint8Array, m), x.get('kTie', Uint32Array, m), x.get('kAuthor', Uint32Array, m)] : [new Uint32Array(m), new Uint8Array(m), new Uint32Array(m), new Uint32Array(m)];
    for (let a = 0; a < n; a += this.rows) {
      const e = Math.min(n, a + this.rows);
      each(this.f.read('kLocal', a, e, lb), this.f.read('kLocale', a, e, lc), this.f.read('kTie', a, e, tb), this.f.read('kAuthor', a, e, ab));
    }
  }
  close(): void {
    this.f.close();
  }
}
