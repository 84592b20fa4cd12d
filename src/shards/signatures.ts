import fs from 'node:fs';
import path from 'node:path';
import type { StageContext } from '../pipeline/stage.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../pipeline/runner.js';
import { docWithoutFeatures } from '../io/docs.js';
import { readJsonlLines } from '../io/readers/jsonl.js';
import { Names, RawWriter, writeColumns, writeColumnsFromFiles, type Column } from '../io/columns.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { authorPseudonym } from '../eligibility/objections.js';
import { seededHash } from '../hash.js';
import { DedupIndex } from './dedupe.js';
import { chunkRows, planBudget, sigBytesPerDoc } from './plan/common.js';
import { dedupParams, shardsSetup, type Setup, type ShardsOptions } from './setup.js';

const grow = <T extends Column>(a: T): T => {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a as never);
  return b;
};

// 2: author pseudonyms of the normalised id (authorPseudonym); 3: the pseudonyms as columns, not in the header
const SIG_VERSION = 3;

export interface SigHeader {
  v: number;
  /** the partition (features file) it was made from */
  key: string;
  n: number;
  /** docs per locale in this file, configured or not (the manifest's segment counts) */
  segment: { [locale: string]: number };
}
/** This file's author pseudonyms, which the `author` column indexes: the columns `authorNames` and `authorEnds` (`Names`). */
export const AUTHORS = 'author';

/**
 * Map step 1 (`signatures`, partitioned over the features files): per doc of a configured
 * locale, the dedup signature (MinHash, band keys, exact hash, time, tie key) and what the plan
 * needs (author pseudonym, locale, length). One column file per features file.
 */
export async function runSignatures(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts)): Promise<{ done: number; skipped: number; index?: CompletionIndex }> {
  const r = await runPartitions<{ n: number }>({
    stage: 'signatures',
    dir: s.sigDir,
    version: SIG_VERSION,
    // pseudonyms and doc hashes depend on the key; the locale list on the config
    common: { dedup: s.sc.dedup, seed: s.config.seed, locales: s.localeNames, key: keyedHash(ctx.secret, 'fingerprint', ''), ci: s.config.objections.case_insensitive },
    partitions: s.partitions,
    rank: ctx.rank,
    world: ctx.world,
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      // sized small: most partitions (a locale × an input file, ~1,000 of them) hold few docs; the
      // arrays double as needed up to CHUNK docs, then go to raw column files (the index is
      // cleared): a task's memory does not follow its partition's size
      const params = dedupParams(s.sc);
      const dedup = new DedupIndex(params, false, 64);
      // as the plan's steps read them: a quarter of the sort budget, at most 16 MB
      const CHUNK = chunkRows(4 + 1 + 4 + sigBytesPerDoc(params), planBudget());
      const file = out.file(`${p.key}.bin`);
      const tmp = `${file}.tmp-${process.pid}-cols`;
      const cols = ['author', 'locale', 'chars', 'sigs', 'bandKeys', 'exactKeys', 'times', 'ties', 'shortFlags'] as const;
      const types = { author: 'u32', locale: 'u8', chars: 'u32', sigs: 'u32', bandKeys: 'u32', exactKeys: 'u32', times: 'f64', ties: 'u32', shortFlags: 'u8' } as const;
      let raw: { [k in (typeof cols)[number]]: RawWriter } | undefined;
      let total = 0;
      const authorIndex = new Map<string, number>();
      // an author's pseudonym costs two SHA-256 calls: once per raw id in this partition
      const byRawId = new Map<string, number>();
      const authors: string[] = [];
      let author = new Uint32Array(64);
      let locale = new Uint8Array(64);
      let chars = new Uint32Array(64);
      const segment: { [l: string]: number } = {};
      const flush = () => {
        const n = dedup.size;
        if (!n) return;
        if (!raw) {
          fs.mkdirSync(tmp, { recursive: true });
          raw = Object.fromEntries(cols.map((k) => [k, new RawWriter(path.join(tmp, k))])) as unknown as typeof raw;
        }
        const c = dedup.columns();
        const chunk = { author: author.subarray(0, n), locale: locale.subarray(0, n), chars: chars.subarray(0, n), sigs: c.sigs, bandKeys: c.bandKeys, exactKeys: c.exactKeys, times: c.times, ties: c.ties, shortFlags: c.shortFlags };
        for (const k of cols) raw![k].append(chunk[k]);
        total += n;
        dedup.clear();
      };
      try {
        // The segment step writes one file per locale (its folder): a file of a locale not
        // configured here is only counted. Each batch's first line is parsed to confirm it; a batch
        // whose first doc is of a configured locale, of another locale than the file's first, or
        // that holds a bad line is read doc by doc as every other file is.
        const countOnly = !s.localeIndex.has(p.key.slice(0, p.key.lastIndexOf('/')));
        let fileLocale: string | undefined;
        for await (const lines of readJsonlLines(p.input, 64 << 20, (b) => progress.tick(b), 16 << 10)) {
          if (countOnly && lines.n) {
            const l = docWithoutFeatures(lines, 0, p.input).locale ?? 'und';
            if (!s.localeIndex.has(l) && (fileLocale ?? l) === l && lines.bad.every((b) => b === undefined)) {
              fileLocale = l;
              segment[l] = (segment[l] ?? 0) + lines.n;
              continue;
            }
          }
          for (let i = 0; i < lines.n; i++) {
            // the features lists are not read here: not parsed either
            const d = docWithoutFeatures(lines, i, p.input);
            const l = d.locale ?? 'und';
            segment[l] = (segment[l] ?? 0) + 1;
            const li = s.localeIndex.get(l);
            if (li === undefined) continue;
            const pid = keyedHash(ctx.secret, 'doc', d.id);
            let ai = byRawId.get(d.authorId);
            if (ai === undefined) {
              const a = authorPseudonym(ctx.secret, d.authorId, s.config.objections.case_insensitive);
              ai = authorIndex.get(a);
              if (ai === undefined) {
                ai = authors.push(a) - 1;
                authorIndex.set(a, ai);
              }
              byRawId.set(d.authorId, ai);
            }
            const k = dedup.add({ id: pid, createdAt: d.createdAt, text: d.text, tie: seededHash(s.config.seed, 'sample', pid) });
            if (k === author.length) {
              author = grow(author);
              locale = grow(locale);
              chars = grow(chars);
            }
            author[k] = ai;
            locale[k] = li;
            chars[k] = d.text.length;
            if (dedup.size === CHUNK) flush();
          }
        }
        const header: SigHeader = { v: SIG_VERSION, key: p.key, n: total + dedup.size, segment };
        const names = Names.of(authors);
        if (!raw) {
          // one chunk or none: straight from memory
          const c = dedup.columns();
          writeColumns(file, header, { author: author.subarray(0, c.n), locale: locale.subarray(0, c.n), chars: chars.subarray(0, c.n), sigs: c.sigs, bandKeys: c.bandKeys, exactKeys: c.exactKeys, times: c.times, ties: c.ties, shortFlags: c.shortFlags, ...names.columns(AUTHORS) });
        } else {
          flush();
          for (const k of cols) raw[k].close();
          const extra = Object.entries(names.columns(AUTHORS)).map(([name, a]) => {
            const w = new RawWriter(path.join(tmp, name));
            w.append(a);
            w.close();
            return { name, type: a instanceof Uint8Array ? ('u8' as const) : ('u32' as const), file: path.join(tmp, name) };
          });
          writeColumnsFromFiles(file, header, [...cols.map((k) => ({ name: k, type: types[k], file: path.join(tmp, k) })), ...extra]);
        }
        return { n: header.n };
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  });
  return { done: r.ran, skipped: r.skipped, index: ctx.world === 1 ? readCompletion(s.sigDir, 'signatures', 'run `vernacular run-stage signatures` first') : undefined };
}
