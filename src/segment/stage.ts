import path from 'node:path';
import type { Doc } from '../doc.js';
import type { StageContext } from '../pipeline/stage.js';
import { partitionsFrom, readCompletion, runPartitions } from '../pipeline/runner.js';
import { readDocs } from '../io/docs.js';
import { JsonlWriter, stageDocsExt } from '../io/writers/jsonl.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { sortKeys } from '../pipeline/stats.js';
import { Cascade } from './cascade.js';
import { assignLocale } from './locale.js';
import { languageSpans, majorityLanguage } from './codeswitch.js';
import { toBcp47 } from './codes.js';

/** Counts of one segment partition (and, merged, of the stage). */
export interface SegmentStats {
  docs: number;
  byLocale: { [locale: string]: number };
  byLanguage: { [lang: string]: number };
  /** docs per locale and source (kind): chat turns as their own source */
  bySource: { [locale: string]: { [kind: string]: number } };
  und: number;
  mixed: number;
  /** `lang>runner-up` → how often the runner-up came within 0.2 of the winner's score */
  confusions: { [pair: string]: number };
}

const empty = (): SegmentStats => ({ docs: 0, byLocale: {}, bySource: {}, byLanguage: {}, und: 0, mixed: 0, confusions: {} });
const inc = (o: { [k: string]: number }, k: string, n = 1) => (o[k] = (o[k] ?? 0) + n);

function add(a: SegmentStats, b: SegmentStats): SegmentStats {
  a.docs += b.docs;
  a.und += b.und;
  a.mixed += b.mixed;
  for (const k of ['byLocale', 'byLanguage', 'confusions'] as const) for (const [x, n] of Object.entries(b[k])) inc(a[k], x, n);
  for (const [l, byK] of Object.entries(b.bySource ?? {})) for (const [k, n] of Object.entries(byK)) inc((a.bySource[l] ??= {}), k, n);
  return a;
}

/** Where the segment stage writes docs of a locale (the folder name is filesystem-safe). */
export const localeDir = (out: string, locale: string) => path.join(out, 'segment', 'docs', localeFolder(locale));

/** A locale as a folder name (`other:ca-ES` → `other=ca-ES`). */
export const localeFolder = (locale: string) => locale.replace(':', '=');

export function makeCascade(ctx: StageContext): Cascade {
  const s = ctx.loaded.config.segment;
  return new Cascade({ extraByCountry: s.extra_languages, thresholds: s.thresholds, useCld: s.use_cld, otherScripts: s.other_scripts });
}

/**
 * The `segment` stage: language ID (country-aware cascade), code-switching spans, and the
 * locale of every eligible doc; writes docs partitioned by locale plus a report.
 */
export async function runSegment(ctx: StageContext): Promise<SegmentStats> {
  const { config } = ctx.loaded;
  const s = config.segment;
  const filterDir = path.join(ctx.out, 'filter');
  const upstream = readCompletion(filterDir, 'filter', 'run `vernacular filter` first');
  const dir = path.join(ctx.out, 'segment');
  const cascade = makeCascade(ctx);
  const configured = new Set(s.locales);
  const r = await runPartitions<SegmentStats>({
    stage: 'segment',
    dir,
    version: 2,
    common: { segment: s },
    partitions: partitionsFrom(upstream, filterDir, 'docs/'),
    rank: ctx.rank,
    world: ctx.world,
    keep: ['report.json'],
    quiet: ctx.quiet,
    run: async (p, out, progress) => {
      const stats = empty();
      const writers = new Map<string, JsonlWriter>();
      const ext = stageDocsExt();
      const writer = (locale: string) => {
        let w = writers.get(locale);
        if (!w) {
          w = new JsonlWriter(out.file(`docs/${localeFolder(locale)}/${p.key}${ext}`), { level: 1 });
          writers.set(locale, w);
        }
        return w;
      };
      try {
        for await (const docs of readDocs(p.input, (b) => progress.tick(b))) {
          for (const doc of docs) {
            for (const d of segmentDoc(doc, cascade, configured, s, stats)) {
              inc((stats.bySource[d.locale!] ??= {}), d.kind);
              const w = writer(d.locale!).write(d);
              if (w) await w;
            }
          }
        }
        for (const w of writers.values()) await w.close();
      } catch (e) {
        for (const w of writers.values()) w.abort();
        throw e;
      }
      return stats;
    },
  });
  const total = empty();
  for (const m of r.markers) add(total, m.stats);
  const merged: SegmentStats = { ...total, byLocale: sortKeys(total.byLocale), bySource: sortKeys(Object.fromEntries(Object.entries(total.bySource).map(([l, x]) => [l, sortKeys(x)]))), byLanguage: sortKeys(total.byLanguage), confusions: sortKeys(total.confusions) };
  if (ctx.world === 1) writeJsonAtomic(path.join(dir, 'report.json'), { stage: 'segment', fastBackend: cascade.fastBackend, locales: s.locales, ...merged });
  return merged;
}

/** Label one doc; yields one doc, or one per language when code-switching is `split`. */
export function* segmentDoc(doc: Doc, cascade: Cascade, configured: ReadonlySet<string>, s: { code_switching: string; switch_min_chars: number }, stats: SegmentStats): Generator<Doc> {
  stats.docs++;
  const hint = typeof doc.meta.lang_hint === 'string' ? doc.meta.lang_hint : undefined;
  const r = cascade.detect(doc.text, doc.country, hint);
  const { alt, ...label } = r;
  if (alt && label.code !== 'und' && label.score - alt.score < 0.2) inc(stats.confusions, `${label.code}>${alt.lang}`);
  doc.lang = label;
  const spans = label.code === 'und' ? undefined : languageSpans(doc.text, doc.country, cascade, { minChars: s.switch_min_chars, minSentenceLetters: 15, minShare: 0.2 });
  if (spans) {
    stats.mixed++;
    doc.spans = spans;
    if (s.code_switching === 'split') {
      const langs = [...new Set(spans.map((x) => x.lang))].sort();
      for (const lang of langs) {
        const text = spans.filter((x) => x.lang === lang).map((x) => doc.text.slice(x.start, x.end)).join(' ');
        const part: Doc = { ...doc, id: `${doc.id}#${toBcp47(lang)}`, text, lang: { code: lang, score: label.score, evidence: 'split' }, spans: undefined, meta: { ...doc.meta, split_from: doc.id } };
        part.locale = assignLocale(lang, doc.country, configured);
        inc(stats.byLocale, part.locale);
        inc(stats.byLanguage, lang);
        yield part;
      }
      return;
    }
    if (s.code_switching === 'set_aside') {
      doc.locale = 'mixed';
      inc(stats.byLocale, 'mixed');
      inc(stats.byLanguage, label.code);
      yield doc;
      return;
    }
    const major = majorityLanguage(doc.text, spans);
    if (major !== label.code) doc.lang = { code: major, score: label.score, evidence: `${label.evidence};majority-of-spans` };
  }
  if (doc.lang.code === 'und') stats.und++;
  doc.locale = assignLocale(doc.lang.code, doc.country, configured);
  inc(stats.byLocale, doc.locale);
  inc(stats.byLanguage, doc.lang.code);
  yield doc;
}

/** The segment report as a terminal table. */
export function segmentTable(st: SegmentStats, locales: readonly string[]): string {
  const pct = (n: number) => (st.docs ? ((100 * n) / st.docs).toFixed(1) + '%' : '-');
  const chatKinds = [...new Set(Object.values(st.bySource ?? {}).flatMap((x) => Object.keys(x)))].filter((k) => /chat/.test(k)).sort();
  const lines = ['Segmentation', `  docs ${st.docs.toLocaleString('en-US')}   und ${st.und} (${pct(st.und)})   mixed-language ${st.mixed} (${pct(st.mixed)})`, '', `  locale            docs${chatKinds.map((k) => `  ${k} turns`).join('')}`];
  const entries = Object.entries(st.byLocale).sort((a, b) => b[1] - a[1]);
  for (const [l, n] of entries) lines.push(`  ${l.padEnd(16)}${String(n).padStart(6)}${chatKinds.map((k) => String(st.bySource?.[l]?.[k] ?? 0).padStart(k.length + 8)).join('')}`);
  const missing = locales.filter((l) => !st.byLocale[l]);
  if (missing.length) lines.push(`  (no docs: ${missing.join(', ')})`);
  const conf = Object.entries(st.confusions).sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (conf.length) lines.push('', '  most confused pairs: ' + conf.map(([k, n]) => `${k.replace('>', '/')} ${n}`).join(', '));
  return lines.join('\n');
}
