import fs from 'node:fs';
import path from 'node:path';
import { hash32 } from '../hash.js';
import Papa from 'papaparse';
import { decodeJsonl } from '../shards/writer.js';
import { readManifest } from '../shards/manifest.js';
import { loadLexicons } from '../features/lexicon.js';
import { InputError } from '../errors.js';
import { ANSWERS, type ReviewSample, type ReviewStore } from './store.js';


/**
 * A stratified review sample of one locale: features taken round-robin (each feature gets its
 * share before any gets more), docs within a feature in `hash(seed, feature, doc)` order, plus
 * a tenth of docs without features (to check what the extractor misses). Deterministic.
 */
export function sampleForReview(shardsDir: string, locale: string, n: number, stratify: 'feature' | 'none', seed = 1): ReviewSample[] {
  const m = readManifest(shardsDir);
  const lex = loadLexicons();
  const docs = m.shards
    .filter((s) => s.format === 'jsonl' && s.locale === locale)
    .flatMap((s) => decodeJsonl(fs.readFileSync(path.join(shardsDir, s.path)), s.path));
  if (!docs.length) throw new InputError(`review: no docs of ${locale} in ${shardsDir}`);
  const toSample = (d: (typeof docs)[number]): ReviewSample => ({
    id: d.id,
    locale: d.locale,
    text: d.text,
    features: d.features
      .filter((f) => !f.feature.startsWith('marker:'))
      .map((f) => ({ feature: f.feature, span: f.span, gloss: lex.byId.get(f.feature)?.gloss ?? (f.feature.startsWith('grammar:') ? f.feature.slice(8).replace(/-/g, ' ') : ''), rule: (f as { rule?: string }).rule ?? f.category ?? '', confidence: f.confidence, category: f.category })),
  });
  const chosen = new Map<string, ReviewSample>();
  if (stratify === 'none') {
    for (const d of [...docs].sort((a, b) => hash32(String(seed), a.id) - hash32(String(seed), b.id)).slice(0, n)) chosen.set(d.id, toSample(d));
    return [...chosen.values()];
  }
  const byFeature = new Map<string, typeof docs>();
  const plain: typeof docs = [];
  for (const d of docs) {
    const fs_ = [...new Set(d.features.filter((f) => !f.feature.startsWith('marker:')).map((f) => f.feature))];
    if (!fs_.length) plain.push(d);
    for (const f of fs_) (byFeature.get(f) ?? byFeature.set(f, []).get(f)!).push(d);
  }
  const queues = [...byFeature.entries()].sort(([a], [b]) => hash32(String(seed), a) - hash32(String(seed), b)).map(([f, ds]) => [...ds].sort((a, b) => hash32(String(seed), f, a.id) - hash32(String(seed), f, b.id)));
  const plainQuota = Math.round(n / 10);
  const target = n - Math.min(plainQuota, plain.length);
  for (let round = 0; chosen.size < target && queues.some((q) => q.length); round++) {
    for (const q of queues) {
      if (chosen.size >= target) break;
      while (q.length && chosen.has(q[0].id)) q.shift();
      const d = q.shift();
      if (d) chosen.set(d.id, toSample(d));
    }
  }
  for (const d of [...plain].sort((a, b) => hash32(String(seed), 'plain', a.id) - hash32(String(seed), 'plain', b.id))) {
    if (chosen.size >= n) break;
    chosen.set(d.id, toSample(d));
  }
  return [...chosen.values()];
}

/** Neutralise cells a spreadsheet would read as a formula (= + - @, tab, CR). */
export const safeCell = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** Mark features in the text: ⟦form⟧. */
function markText(s: ReviewSample): string {
  const spans = [...s.features].sort((a, b) => a.span[0] - b.span[0]);
  let out = '';
  let at = 0;
  for (const f of spans) {
    if (f.span[0] < at) continue;
    out += s.text.slice(at, f.span[0]) + '⟦' + s.text.slice(f.span[0], f.span[1]) + '⟧';
    at = f.span[1];
  }
  return out + s.text.slice(at);
}

const CSV_COLUMNS = ['sample_id', 'locale', 'text', 'feature', 'gloss', 'rule', 'confidence', 'category', 'feature_correct', 'locale_correct', 'colloquial', 'note'];

/** The review CSV: one row per (sample, feature); the last four columns are for the reviewer. */
export function reviewCsv(samples: ReviewSample[], opts: { bom?: boolean; judgments?: Map<string, { [k: string]: string }> } = {}): string {
  const rows: string[][] = [];
  for (const s of samples) {
    const feats = s.features.length ? s.features : [undefined];
    for (const f of feats) {
      const j = opts.judgments?.get(`${s.id}|${f?.feature ?? ''}`) ?? {};
      rows.push([s.id, s.locale, markText(s), f?.feature ?? '', f?.gloss ?? '', f?.rule ?? '', f ? f.confidence.toFixed(2) : '', f?.category ?? '', j.feature_correct ?? '', j.locale_correct ?? '', j.colloquial ?? '', j.note ?? ''].map(safeCell));
    }
  }
  return (opts.bom ? '\uFEFF' : '') + Papa.unparse({ fields: CSV_COLUMNS, data: rows }, { newline: '\r\n', quotes: true }) + '\r\n';
}

/** Validate a filled-in review CSV row by row; every problem is reported with its line, and nothing is stored unless all rows are valid. */
export function importReviewCsv(store: ReviewStore, file: string, reviewer: string): { judgments: number } {
  if (!fs.existsSync(file)) throw new InputError(`review import: file not found: ${file}`);
  const raw = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const p = Papa.parse<{ [k: string]: string }>(raw, { header: true, skipEmptyLines: 'greedy' });
  const problems: string[] = [];
  for (const e of p.errors) problems.push(`${file}: row ${(e.row ?? 0) + 2}: ${e.message}`);
  const missing = ['sample_id', 'feature', 'feature_correct', 'locale_correct', 'colloquial'].filter((c) => !p.meta.fields?.includes(c));
  if (missing.length) throw new InputError(`${file}: missing column(s) ${missing.join(', ')} (expected the columns of \`vernacular review export\`)`);
  const todo: Array<Parameters<ReviewStore['judge']>[0]> = [];
  const unq = (v: string | undefined) => (v ?? '').trim().replace(/^'(?=[=+\-@])/, '');
  p.data.forEach((r, i) => {
    const line = i + 2;
    const id = unq(r.sample_id);
    const s = store.sample(id);
    if (!s) return problems.push(`${file}:${line}: sample_id '${id}' is not in this review set`);
    const check = (col: string, q: 'locale' | 'colloquial' | 'feature', feature = '') => {
      const v = unq(r[col]).toLowerCase();
      if (!v) return;
      if (!ANSWERS[q].includes(v)) return problems.push(`${file}:${line}: ${col} must be ${ANSWERS[q].join(' or ')} or empty (got '${v}')`);
      todo.push({ sample_id: id, reviewer, question: q, feature, value: v, note: unq(r.note) });
    };
    const f = unq(r.feature);
    if (f && !s.features.some((x) => x.feature === f)) problems.push(`${file}:${line}: sample ${id} has no feature '${f}'`);
    else if (f) check('feature_correct', 'feature', f);
    check('locale_correct', 'locale');
    check('colloquial', 'colloquial');
  });
  if (problems.length) throw new InputError(`${problems.length} problem(s) in the review file; nothing was imported:\n` + problems.slice(0, 50).map((x) => `  - ${x}`).join('\n'));
  for (const j of todo) store.judge(j);
  return { judgments: todo.length };
}
