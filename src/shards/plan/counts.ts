import path from 'node:path';
import { readColumns, writeColumns } from '../../io/columns.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { VERSION, countsDir, type PlanSetup, type SigPart } from './common.js';
import { readDrop } from './clusters.js';

interface CountsHeader {
  v: number;
  key: string;
  n: number;
  /** the signature file's authors (the `kAuthor` column indexes them) */
  authors: string[];
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
      const { header: sh, columns: c } = readColumns<{ n: number; key: string; authors: string[]; segment: { [l: string]: number } }>(part.file);
      if (sh.n !== part.n) throw new InputError(`${part.file}: changed since the plan began; re-run \`vernacular run-stage signatures\``);
      const dropped = readDrop(s, part);
      const author = c.author as Uint32Array;
      const locale = c.locale as Uint8Array;
      const chars = c.chars as Uint32Array;
      const ties = c.ties as Uint32Array;
      const locales: CountsHeader['locales'] = {};
      const kLocal: number[] = [];
      const kLocale: number[] = [];
      const kTie: number[] = [];
      const kAuthor: number[] = [];
      const al = new Map<number, number>();
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
        kLocal.push(k);
        kLocale.push(locale[k]);
        kTie.push(ties[k]);
        kAuthor.push(author[k]);
        const key = author[k] * 256 + locale[k];
        al.set(key, (al.get(key) ?? 0) + 1);
      }
      const keys = [...al.keys()].sort((a, b) => a - b);
      const header: CountsHeader = { v: VERSION, key: part.key, n: part.n, authors: sh.authors, segment: sh.segment, locales };
      writeColumns(out.file(`${part.key}.bin`), header, {
        kLocal: Uint32Array.from(kLocal),
        kLocale: Uint8Array.from(kLocale),
        kTie: Uint32Array.from(kTie),
        kAuthor: Uint32Array.from(kAuthor),
        acKey: Float64Array.from(keys),
        acCount: Uint32Array.from(keys, (x) => al.get(x)!),
      });
      return { kept: kLocal.length };
    },
  });
  return s.world === 1 ? readCompletion(dir, 'shards-counts', 'run `vernacular run-stage shards-counts` first') : undefined;
}

export interface Counts {
  header: CountsHeader;
  kLocal: Uint32Array;
  kLocale: Uint8Array;
  kTie: Uint32Array;
  kAuthor: Uint32Array;
  acKey: Float64Array;
  acCount: Uint32Array;
}

export function readCounts(s: PlanSetup, part: SigPart): Counts {
  const { header, columns: c } = readColumns<CountsHeader>(countsFile(s, part));
  if (header.key !== part.key || header.n !== part.n) throw new InputError(`${countsFile(s, part)}: stale counts; re-run \`vernacular run-stage shards-counts\``);
  return { header, kLocal: c.kLocal as Uint32Array, kLocale: c.kLocale as Uint8Array, kTie: c.kTie as Uint32Array, kAuthor: c.kAuthor as Uint32Array, acKey: c.acKey as Float64Array, acCount: c.acCount as Uint32Array };
}
