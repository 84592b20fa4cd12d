import fs from 'node:fs';
import path from 'node:path';
import type { StageContext } from '../pipeline/stage.js';
import { partitionsFrom, readCompletion, runPartitions } from '../pipeline/runner.js';
import { readDocs } from '../io/docs.js';
import { JsonlWriter, stageDocsExt } from '../io/writers/jsonl.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { sortKeys } from '../pipeline/stats.js';
import { DEFAULT_EXTRACTORS, FeatureExtractor } from './extract.js';
import { lexiconDir } from './lexicon.js';
import { packageRoot } from '../paths.js';
import { createHash } from 'node:crypto';
import { TABLE_CATEGORIES } from './categories.js';

/** Per-locale counts for feature rates. */
export interface LocaleFeatureCounts {
  docs: number;
  docsWithHits: number;
  tokens: number;
  byCategory: { [category: string]: number };
  byFeature: { [feature: string]: number };
}

export interface FeatureStats {
  byLocale: { [locale: string]: LocaleFeatureCounts };
}

function addCounts(a: FeatureStats, b: FeatureStats): FeatureStats {
  for (const [l, c] of Object.entries(b.byLocale)) {
    const t = (a.byLocale[l] ??= { docs: 0, docsWithHits: 0, tokens: 0, byCategory: {}, byFeature: {} });
    t.docs += c.docs;
    t.docsWithHits += c.docsWithHits;
    t.tokens += c.tokens;
    for (const [k, n] of Object.entries(c.byCategory)) t.byCategory[k] = (t.byCategory[k] ?? 0) + n;
    for (const [k, n] of Object.entries(c.byFeature)) t.byFeature[k] = (t.byFeature[k] ?? 0) + n;
  }
  return a;
}

/** Hits per 1,000 tokens, by category, per locale. */
export function featureRates(st: FeatureStats): { [locale: string]: { docs: number; tokens: number; docsWithHitsShare: number; per1k: { [category: string]: number } } } {
  const out: ReturnType<typeof featureRates> = {};
  for (const [l, c] of Object.entries(st.byLocale).sort()) {
    out[l] = {
      docs: c.docs,
      tokens: c.tokens,
      docsWithHitsShare: c.docs ? c.docsWithHits / c.docs : 0,
      per1k: sortKeys(Object.fromEntries(Object.entries(c.byCategory).map(([k, n]) => [k, Math.round((1e4 * n) / Math.max(1, c.tokens)) / 10]))),
    };
  }
  return out;
}

/**
 * A hash of the data the extractors are built from (every lexicon and the marker tables), so a
 * changed entry re-runs the stage without building the extractor to find out.
 */
function featureDataHash(): string {
  const h = createHash('sha256');
  const files = [...walkYaml(lexiconDir()), path.join(packageRoot(), 'corpora', 'markers', 'markers.yaml')];
  for (const f of files) h.update(path.relative(packageRoot(), f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex');
}

function walkYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walkYaml(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** The `features` stage: dialect and colloquial features of every segmented doc; per-locale rates. */
export async function runFeatures(ctx: StageContext): Promise<FeatureStats> {
  const segDir = path.join(ctx.out, 'segment');
  const upstream = readCompletion(segDir, 'segment', 'run `vernacular segment` first');
  const dir = path.join(ctx.out, 'features');
  // the extractor takes seconds to build: only when a partition is to be done (not in a merge pass)
  let fx: FeatureExtractor | undefined;
  const r = await runPartitions<FeatureStats>({
    stage: 'features',
    dir,
    version: 3,
    common: { data: featureDataHash() },
    partitions: partitionsFrom(upstream, segDir, 'docs/'),
    rank: ctx.rank,
    world: ctx.world,
    keep: ['rates.json'],
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      const stats: FeatureStats = { byLocale: {} };
      fx ??= await FeatureExtractor.create();
      const w = new JsonlWriter(out.file(`docs/${p.key}${stageDocsExt()}`), { level: 1 });
      try {
        for await (const docs of readDocs(p.input, (b) => progress.tick(b))) {
          for (const doc of docs) {
            fx.label(doc);
            const loc = doc.locale ?? 'und';
            const c = (stats.byLocale[loc] ??= { docs: 0, docsWithHits: 0, tokens: 0, byCategory: {}, byFeature: {} });
            c.docs++;
            const sum = doc.meta.feature_summary as { tokens: number; byCategory: { [k: string]: number } };
            c.tokens += sum.tokens;
            if (doc.features!.length) c.docsWithHits++;
            for (const [k, n] of Object.entries(sum.byCategory)) c.byCategory[k] = (c.byCategory[k] ?? 0) + n;
            for (const h of doc.features!) if (!h.feature.startsWith('marker:')) c.byFeature[h.feature] = (c.byFeature[h.feature] ?? 0) + 1;
            const pw = w.write(doc);
            if (pw) await pw;
          }
        }
        await w.close();
      } catch (e) {
        w.abort();
        throw e;
      }
      return stats;
    },
  });
  const total: FeatureStats = { byLocale: {} };
  for (const m of r.markers) addCounts(total, m.stats);
  total.byLocale = sortKeys(total.byLocale);
  if (ctx.world === 1) writeJsonAtomic(path.join(dir, 'rates.json'), { stage: 'features', extractors: DEFAULT_EXTRACTORS, rates: featureRates(total), counts: total });
  return total;
}

/** Feature rates as a terminal table. */
export function featuresTable(st: FeatureStats): string {
  const rates = featureRates(st);
  const cats = TABLE_CATEGORIES;
  const lines = ['Feature rates (hits per 1k tokens)', `  ${'locale'.padEnd(14)}${'docs'.padStart(6)} ${'w/ hits'.padStart(8)} ` + cats.map((c) => c.slice(0, 8).padStart(9)).join('')];
  for (const [l, r] of Object.entries(rates)) {
    if (l.startsWith('other:') || l === 'und') continue;
    lines.push(`  ${l.padEnd(14)}${String(r.docs).padStart(6)} ${(Math.round(100 * r.docsWithHitsShare) + '%').padStart(8)} ` + cats.map((c) => String(r.per1k[c] ?? 0).padStart(9)).join(''));
  }
  return lines.join('\n');
}
