import path from 'node:path';
import type { Doc, FeatureHit } from '../doc.js';
import type { StageContext } from '../pipeline/stage.js';
import { runPartitions } from '../pipeline/runner.js';
import { readDocs } from '../io/docs.js';
import { InputError } from '../errors.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { authorPseudonym } from '../eligibility/objections.js';
import { toBcp47 } from '../segment/codes.js';
import { FeatureExtractor } from '../features/extract.js';
import { isChatKind } from '../io/conversations.js';
import { scrubPii, type PiiType } from './pii.js';
import { ShardSet, type ShardFile } from './writer.js';
import { SPLITS } from './splits.js';
import { docPlan, planTables, type PlanTables } from './plan/tables.js';
import type { PlanSetup } from './plan/common.js';
import type { ShardsPlan } from './plan/run.js';
import { planSetup, readJsonIfAny, shardsSetup, sigCompletion, type Setup, type ShardsOptions } from './setup.js';

// 2: Parquet `features` as a list of structs
export const WRITE_VERSION = 2;

/** Cut an ISO timestamp to the configured precision. */
function coarseTime(iso: string, g: 'month' | 'day' | 'year'): string {
  return g === 'year' ? iso.slice(0, 4) : g === 'month' ? iso.slice(0, 7) : iso.slice(0, 10);
}
/** What one write task produced, kept in its completion marker for the assemble step. */
export interface PartStats {
  files: ShardFile[];
  splits: { [l: string]: { [s: string]: number } };
  sources: { [l: string]: { [k: string]: number } };
  pii: { [t: string]: number };
}

/**
 * Map step 2 (`shards-write`, partitioned over the features files): the docs the plan takes,
 * PII-scrubbed, pseudonymised, with features re-extracted on the scrubbed text, written as
 * shard files named after their features file (`<split>/<locale>/part-PPPPP-NNNNN`), so the
 * bytes do not depend on how many workers ran.
 */
export async function writeShardParts(ctx: StageContext, opts: ShardsOptions = {}, s: Setup = shardsSetup(ctx, opts)): Promise<PartStats[]> {
  const { sc } = s;
  const plan = readJsonIfAny(path.join(s.work, 'plan', 'plan.json')) as ShardsPlan | null;
  if (!plan) throw new InputError(`shards: no plan under ${path.join(s.work, 'plan')}; run \`vernacular run-stage shards-plan\` first`);
  const partsDir = path.join(s.work, 'parts');
  let ps: PlanSetup | undefined;
  let tables: PlanTables | undefined;
  let fx: FeatureExtractor | undefined;
  const r = await runPartitions<PartStats>({
    stage: 'shards-write',
    dir: partsDir,
    version: WRITE_VERSION,
    common: { plan: plan.fingerprint, ci: s.config.objections.case_insensitive, formats: sc.formats, compression: s.compression, shard_docs: sc.shard_docs, time: sc.time_granularity, key: keyedHash(ctx.secret, 'fingerprint', '') },
    partitions: s.partitions,
    rank: ctx.rank,
    world: ctx.world,
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      ps ??= planSetup(ctx, s, sigCompletion(s));
      tables ??= planTables(ps);
      const part = ps.parts.find((x) => x.key === p.key)!;
      const { times: take, split: splitOf } = docPlan(ps, part, tables);
      const header = { n: part.n };
      const st: PartStats = { files: [], splits: {}, sources: {}, pii: {} };
      // nothing taken from this file (other locales, all duplicates, sampled out): no need to read it
      if (!take.some((t) => t > 0)) return st;
      const prefix = path.basename(p.key);
      const sets = new Map<string, ShardSet>();
      // an author's pseudonym costs two SHA-256 calls: once per raw id in this partition
      const pseudonyms = new Map<string, string>();
      let j = 0;
      for await (const docs of readDocs(p.input, (b) => progress.tick(b))) {
        for (const d of docs as Doc[]) {
          const locale = d.locale ?? 'und';
          if (!s.localeIndex.has(locale)) continue;
          const k = j++;
          const times = take[k];
          if (!times) continue;
          const pid = keyedHash(ctx.secret, 'doc', d.id);
          let author = pseudonyms.get(d.authorId);
          if (author === undefined) {
            author = authorPseudonym(ctx.secret, d.authorId, s.config.objections.case_insensitive);
            pseudonyms.set(d.authorId, author);
          }
          const { text, counts } = scrubPii(d.text, d.country, isChatKind(d.kind, s.config) ? 'chat' : 'post');
          for (const [t, n] of Object.entries(counts) as Array<[PiiType, number]>) st.pii[t] = (st.pii[t] ?? 0) + n;
          const split = SPLITS[splitOf[k]];
          let hits = keptFeatures(d, text, locale);
          if (!hits) {
            // the extractor is built on first need (it takes seconds)
            fx ??= await FeatureExtractor.create();
            hits = fx.extract(text, d.lang?.code ?? 'und', locale).hits;
          }
          const key = `${split}/${locale}`;
          let set = sets.get(key);
          if (!set) {
            set = new ShardSet(partsDir, split, locale, { formats: sc.formats, compression: s.compression, shardDocs: sc.shard_docs, prefix });
            sets.set(key, set);
          }
          for (let rep = 0; rep < times; rep++) {
            set.add({
              id: rep ? `${pid}~${rep}` : pid,
              text,
              locale,
              lang: toBcp47(d.lang?.code ?? 'und'),
              author,
              time: coarseTime(d.createdAt, sc.time_granularity),
              kind: d.kind,
              split,
              features: hits.map((h) => ({ feature: h.feature, category: h.category, span: h.span, confidence: h.confidence })),
            });
            (st.splits[locale] ??= {})[split] = (st.splits[locale][split] ?? 0) + 1;
            (st.sources[locale] ??= {})[d.kind] = (st.sources[locale][d.kind] ?? 0) + 1;
          }
        }
      }
      if (j !== header.n) throw new InputError(`${p.input}: ${j} docs now, ${header.n} when the plan was made; re-run \`vernacular run-stage signatures\` and the plan`);
      for (const key of [...sets.keys()].sort()) {
        const set = sets.get(key)!;
        set.flush();
        for (const f of set.files) out.file(f.path);
        st.files.push(...set.files);
      }
      return st;
    },
  });
  return r.markers.map((m) => m.stats);
}

/**
 * A shard doc's features when the scrub left its text as it was: the features step's hits (the
 * same extractor on the same text, language and locale gives the same hits); undefined when they
 * must be extracted again on the scrubbed text.
 */
function keptFeatures(d: Doc, text: string, locale: string): FeatureHit[] | undefined {
  return text === d.text && d.locale === locale && Array.isArray(d.features) ? d.features : undefined;
}
