import type { Config } from '../../config/schema.js';
import { Names, readColumns, readColumnsHeader } from '../../io/columns.js';
import { DedupIndex } from '../dedupe.js';
import { planTargets, sampleLocale, type Candidate, type LocalePlan } from '../balance.js';
import { assignSplits } from '../splits.js';
import type { dedupParams } from '../setup.js';
import type { SigHeader } from '../signatures.js';

/**
 * The in-memory plan over signature files (in order): one dedup index over every doc, the
 * author-disjoint splits, the sample per locale. The oracle of the map/reduce plan (tests,
 * `scripts/bench/plan.mjs`); memory grows with the build.
 */
export function inMemoryPlan(
  files: string[],
  o: { seed: number; dedup: ReturnType<typeof dedupParams>; balance: Config['shards']['balance']; splits: Config['shards']['splits']; localeNames: string[] },
  check?: (i: number, h: SigHeader) => void,
) {
  // Load the signature files in order: global doc index = position in (file order, doc order).
  const headers = files.map((f) => readColumnsHeader<SigHeader>(f));
  const total = headers.reduce((t, h) => t + h.n, 0);
  let dedup: DedupIndex | undefined = new DedupIndex(o.dedup, false, Math.max(16, total));
  const recAuthor = new Uint32Array(total);
  const recLocale = new Uint8Array(total);
  const recChars = new Uint32Array(total);
  const recKey = new Uint32Array(total);
  const authorIndex = new Map<string, number>();
  const authors: string[] = [];
  const segmentCounts: { [l: string]: number } = {};
  const starts: number[] = [];
  let at = 0;
  for (let i = 0; i < files.length; i++) {
    const { header: h, columns: c } = readColumns<SigHeader>(files[i]);
    check?.(i, h);
    for (const [l, n] of Object.entries(h.segment)) segmentCounts[l] = (segmentCounts[l] ?? 0) + n;
    // the file's author pseudonyms, from the columns just read
    const local = new Names(c.authorNames as Uint8Array, c.authorEnds as Uint32Array).toArray().map((a) => {
      let g = authorIndex.get(a);
      if (g === undefined) {
        g = authors.push(a) - 1;
        authorIndex.set(a, g);
      }
      return g;
    });
    const ca = c.author as Uint32Array;
    for (let k = 0; k < h.n; k++) recAuthor[at + k] = local[ca[k]];
    recLocale.set(c.locale as Uint8Array, at);
    recChars.set(c.chars as Uint32Array, at);
    recKey.set(c.ties as Uint32Array, at);
    dedup.append({ n: h.n, sigs: c.sigs as Uint32Array, bandKeys: c.bandKeys as Uint32Array, exactKeys: c.exactKeys as Uint32Array, times: c.times as Float64Array, ties: c.ties as Uint32Array, shortFlags: c.shortFlags as Uint8Array });
    starts.push(at);
    at += h.n;
  }
  authorIndex.clear();
  const dupOf = dedup.duplicateOf();
  const bytesPerDoc = dedup.bytesPerDoc();
  // the index is the largest thing held: let it go before the balance plan allocates
  dedup = undefined;

  // Supply per locale, and docs per (author, locale) from a sorted key array (no per-doc Map).
  const supply: { [l: string]: { docs: number; chars: number } } = {};
  const dedupCounts: { [l: string]: { in: number; duplicates: number } } = {};
  const pairKeys = new Float64Array(total);
  let kept = 0;
  for (let index = 0; index < total; index++) {
    const locale = o.localeNames[recLocale[index]];
    const dc = (dedupCounts[locale] ??= { in: 0, duplicates: 0 });
    dc.in++;
    if (dupOf[index] >= 0) {
      dc.duplicates++;
      continue;
    }
    const sp = (supply[locale] ??= { docs: 0, chars: 0 });
    sp.docs++;
    sp.chars += recChars[index];
    pairKeys[kept++] = recAuthor[index] * 256 + recLocale[index];
  }
  const sortedPairs = pairKeys.subarray(0, kept).sort();
  function* authorLocales(): Generator<[number, number]> {
    for (let a = 0; a < kept; ) {
      let b = a + 1;
      while (b < kept && sortedPairs[b] === sortedPairs[a]) b++;
      yield [sortedPairs[a], b - a];
      a = b;
    }
  }
  const splitOfAuthor = assignSplits(o.seed, authors, authorLocales(), o.splits);
  const targets = planTargets(supply, o.balance);
  const balance: { [l: string]: LocalePlan } = {};
  const times = new Uint8Array(total);
  // one locale's candidates at a time: memory is bounded by the largest locale
  for (const l of Object.keys(supply).sort()) {
    const li = o.localeNames.indexOf(l);
    const cands: Candidate[] = [];
    for (let index = 0; index < total; index++) if (recLocale[index] === li && dupOf[index] < 0) cands.push({ key: recKey[index], author: authors[recAuthor[index]], index });
    const r = sampleLocale(cands, targets[l], o.balance);
    balance[l] = { available: supply[l].docs, target: targets[l], ...r.plan };
    for (const [i, k] of r.take) times[i] = k;
  }
  const split = new Uint8Array(total);
  for (let index = 0; index < total; index++) split[index] = splitOfAuthor[recAuthor[index]];
  return { times, split, starts, headers, total, segmentCounts, dedupCounts, balance, bytesPerDoc };
}
