import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { LanguageJudge, SELF_TRAIN_MIN_ADVISED } from './judge.js';
import { loadJudges, saveJudges, type JudgeSet } from './judge-file.js';
import { classification } from './metrics.js';
import { InputError, UsageError } from '../errors.js';

/** The variety judge's report per language as a terminal table (what `judge train` and `run` print). */
export function judgeTable(report: { [lang: string]: unknown }, heading = 'Variety judge (author-disjoint held-out fold; trained on every non-test author\'s docs)'): string {
  const lines = [heading, '  lang   train  held-out  macro-F1  accuracy   ECE'];
  for (const [lang, r] of Object.entries(report) as Array<[string, { n?: number; trainedOn?: number; macroF1?: number; accuracy?: number; ece?: number }]>) {
    if (lang.startsWith('_')) continue;
    const f = (x: number | undefined, w = 8) => (x !== undefined && Number.isFinite(x) ? x.toFixed(3).padStart(w) : 'n/a'.padStart(w));
    lines.push(`  ${lang.padEnd(6)} ${String(r.trainedOn ?? '').padStart(5)}  ${String(r.n ?? 0).padStart(8)}  ${f(r.macroF1)}  ${f(r.accuracy)}  ${f(r.ece, 5)}`);
    const st = (r as { selfTraining?: { unlabelled: number; distinct: number; added: number; perLabel: { [l: string]: number } } }).selfTraining;
    if (st) {
      const skipped = st.unlabelled - st.distinct;
      lines.push(`         self-trained: ${st.added} of ${st.distinct} unlabelled texts added with the judge's labels (${Object.entries(st.perLabel).map(([l, n]) => `${l} ${n}`).join(', ')}); train counts them${skipped ? `; ${skipped} more were repeats or labelled texts` : ''}`);
      if (st.distinct < SELF_TRAIN_MIN_ADVISED) lines.push(`         (fewer than ${SELF_TRAIN_MIN_ADVISED} unlabelled texts: measured without gain and with worse calibration on sets this small; compare with a judge trained without them)`);
    }
  }
  return lines.join('\n');
}

/** Rows of a labelled JSONL / CSV / TSV file. */
function readRows(file: string): Array<{ [k: string]: unknown }> {
  if (!fs.existsSync(file)) throw new InputError(`data file not found: ${file}`);
  const raw = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (/\.jsonl?$/.test(file))
    return raw
      .split('\n')
      .map((l, i) => [l, i] as const)
      .filter(([l]) => l.trim())
      .map(([l, i]) => {
        try {
          const r = JSON.parse(l);
          if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('not an object');
          return r;
        } catch {
          throw new InputError(`${file}:${i + 1}: not a JSON object`);
        }
      });
  const p = Papa.parse<{ [k: string]: string }>(raw, { header: true, skipEmptyLines: true, delimiter: /\.tsv$/.test(file) ? '\t' : undefined });
  if (p.errors.length) throw new InputError(`${file}: row ${(p.errors[0].row ?? 0) + 2}: ${p.errors[0].message}`);
  return p.data;
}

/** Texts and gold labels of a file; the label column defaults to `label`, else `locale`. */
function readLabelled(file: string, textCol: string, labelCol?: string, groupCol?: string): { texts: string[]; labels: string[]; groups?: string[]; labelCol: string } {
  const rows = readRows(file);
  if (!rows.length) throw new InputError(`${file}: no rows`);
  const col = labelCol ?? (['label', 'locale'].find((c) => c in rows[0]) as string | undefined);
  if (!col) throw new InputError(`${file}: no 'label' or 'locale' column (columns: ${Object.keys(rows[0]).join(', ')}); name it with --label-col`);
  const texts: string[] = [];
  const labels: string[] = [];
  const groups: string[] = [];
  rows.forEach((r, i) => {
    const text = r[textCol];
    const label = r[col];
    if (typeof text !== 'string' || (typeof label !== 'string' && typeof label !== 'number') || String(label).trim() === '')
      throw new InputError(`${file}: row ${i + 1}: needs a string '${textCol}' and a non-empty '${col}'`);
    texts.push(text);
    labels.push(String(label).trim());
    if (groupCol) {
      const g = r[groupCol];
      if (g === undefined || g === null || String(g).trim() === '') throw new InputError(`${file}: row ${i + 1}: no '${groupCol}' (--group-col)`);
      groups.push(String(g));
    }
  });
  return { texts, labels, groups: groupCol ? groups : undefined, labelCol: col };
}

/**
 * Texts of an unlabelled JSONL/CSV/TSV file (`judge train --unlabelled`): the `textCol` column of
 * every row; a row without a string there is an error naming it.
 */
export function readUnlabelled(file: string, textCol: string): string[] {
  const rows = readRows(path.resolve(file));
  if (!rows.length) throw new InputError(`${file}: no rows`);
  return rows.map((r, i) => {
    const t = r[textCol];
    if (typeof t !== 'string') throw new InputError(`${file}: row ${i + 1}: needs a string '${textCol}' (--unlabelled-text-col)`);
    return t;
  });
}

/**
 * Unlabelled texts by the judge they self-train: all to `lang` when given, else each to its
 * detected language's (only languages in `langs`); the rest are counted, never guessed.
 */
export async function routeUnlabelled(texts: string[], langs: readonly string[], lang?: string): Promise<{ byLang: Map<string, string[]>; unrouted: { [lang: string]: number } }> {
  const byLang = new Map<string, string[]>(langs.map((l) => [l, []]));
  const unrouted: { [lang: string]: number } = {};
  const detect = lang ? undefined : await detector();
  for (const t of texts) {
    const l = lang ?? detect!(t);
    const b = byLang.get(l);
    if (b) b.push(t);
    else unrouted[l] = (unrouted[l] ?? 0) + 1;
  }
  return { byLang, unrouted };
}

/** The language of a text as a judge key (`de`, `en`, …; `und` when too little text). */
async function detector(): Promise<(text: string) => string> {
  const { Cascade } = await import('../segment/cascade.js');
  const { toBcp47 } = await import('../segment/codes.js');
  const c = new Cascade();
  return (text) => toBcp47(c.detect(text).code);
}

const LOCALE = /^[a-z]{2,3}-[A-Z]{2}$/;
/** the prediction column of rows whose detected language has no judge */
const NO_JUDGE = '(no judge)';


/** Options of a judge trained on external labelled data (`judge train --input`). */
export interface LabelledTrainOptions {
  /** labelled data: .jsonl, or .csv/.tsv with a header row */
  input: string;
  /** gold label column (default: `label`, else `locale`) */
  labelCol?: string;
  /** text column (default `text`) */
  textCol?: string;
  /** the author/speaker column: the held-out calibration fold takes whole groups */
  groupCol?: string;
  /** the language the judge is for (default: from locale labels, else the texts' majority detected language) */
  lang?: string;
  /** judge file (default `<input>.judge.json.gz`) */
  out?: string;
  seed?: number;
  /** unlabelled texts of the domain to be scored (.jsonl/.csv/.tsv): self-training (LanguageJudge.train's `unlabelled`) */
  unlabelled?: string;
  /** their text column (default: `textCol`) */
  unlabelledTextCol?: string;
}

/** Train and save a judge set on any labelled file; `how` says which language each judge was keyed by. */
export async function trainJudgesOnFile(o: LabelledTrainOptions): Promise<{ out: string; set: JudgeSet; how: string }> {
  const file = path.resolve(o.input);
  const { texts, labels, groups, labelCol } = readLabelled(file, o.textCol ?? 'text', o.labelCol, o.groupCol);
  const out = path.resolve(o.out ?? file.replace(/\.(jsonl?|csv|tsv)$/, '') + '.judge.json.gz');
  // which language's judge: --lang; labels that are locales of several languages: one judge each; else the texts' majority language
  const byLang = new Map<string, { texts: string[]; labels: string[]; groups: string[] }>();
  const add = (l: string, t: string, y: string, i: number) => {
    const b = byLang.get(l) ?? byLang.set(l, { texts: [], labels: [], groups: [] }).get(l)!;
    b.texts.push(t);
    b.labels.push(y);
    b.groups.push(groups ? groups[i] : String(i));
  };
  let how: string;
  if (o.lang) {
    texts.forEach((t, i) => add(o.lang!, t, labels[i], i));
    how = `--lang ${o.lang}`;
  } else if (labels.every((l) => LOCALE.test(l))) {
    texts.forEach((t, i) => add(labels[i].split('-')[0], t, labels[i], i));
    how = 'the language of each locale label';
  } else {
    const detect = await detector();
    const votes = new Map<string, number>();
    for (const t of texts) {
      const l = detect(t);
      if (l !== 'und') votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    const lang = [...votes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    if (!lang) throw new InputError(`${file}: cannot tell the texts' language; pass --lang`);
    texts.forEach((t, i) => add(lang, t, labels[i], i));
    how = `the texts' majority detected language (${votes.get(lang)} of ${texts.length})`;
  }
  const set: JudgeSet = { judges: {}, report: {} };
  for (const [lang, d] of byLang) if (new Set(d.labels).size < 2) throw new InputError(`${file}: language ${lang} has one label (${d.labels[0]}) in column '${labelCol}': a judge needs two or more`);
  const un = o.unlabelled ? await routeUnlabelled(readUnlabelled(o.unlabelled, o.unlabelledTextCol ?? o.textCol ?? 'text'), [...byLang.keys()], o.lang) : undefined;
  for (const [lang, d] of [...byLang.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const j = LanguageJudge.train(d.texts, d.labels, { seed: o.seed, groups: d.groups, unlabelled: un?.byLang.get(lang) });
    set.judges[lang] = j;
    set.report[lang] = { heldOut: o.groupCol ? `calibration fold of whole '${o.groupCol}' groups` : 'random calibration fold (use --group-col for speakers/authors)', ...j.report?.heldOut, trainedOn: j.report?.n, perLabel: j.report?.perLabel, temperature: j.temperature, selfTraining: j.report?.selfTraining };
  }
  set.report._input = { file, labelCol, keyedBy: how, ...(un ? { unlabelled: path.resolve(o.unlabelled!), unrouted: un.unrouted } : {}) };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  saveJudges(out, set);
  return { out, set, how };
}

/** A judge scored on labelled data: per-class and macro scores, and the rows no judge of the right language answered. */
export interface JudgeScore {
  classification: ReturnType<typeof classification>;
  /** rows whose judge does not know the gold label (another language's), or that no judge answered */
  crossLanguage: number;
  /** rows whose detected language has no judge */
  noJudge: number;
  /** those rows by detected language */
  unjudged: { [lang: string]: number };
  /** the gold label column used */
  labelCol: string;
  rows: number;
}

/**
 * Score a judge file on any labelled JSONL/CSV/TSV file. The judge answering a row is chosen from
 * the text (its detected language) or `lang`, never from the gold label, so a text in the wrong
 * language is an error that counts.
 */
export async function scoreJudge(o: { judge: string; data: string; textCol?: string; labelCol?: string; lang?: string }): Promise<JudgeScore> {
  const set = loadJudges(path.resolve(o.judge));
  const file = path.resolve(o.data);
  const { texts, labels: gold, labelCol } = readLabelled(file, o.textCol ?? 'text', o.labelCol);
  if (o.lang && !set.judges[o.lang]) throw new UsageError(`--lang ${o.lang}: the judge file has no judge for it (judges: ${Object.keys(set.judges).join(', ')})`);
  const detect = o.lang ? undefined : await detector();
  const pred: string[] = [];
  let crossLanguage = 0;
  let noJudge = 0;
  const unjudged: { [lang: string]: number } = {};
  texts.forEach((t, i) => {
    const lang = o.lang ?? detect!(t);
    const j = set.judges[lang];
    if (!j) {
      noJudge++;
      crossLanguage++;
      unjudged[lang] = (unjudged[lang] ?? 0) + 1;
      pred.push(NO_JUDGE); // no judge for the text's language: wrong, whatever the gold label
      return;
    }
    if (!j.labels.includes(gold[i])) crossLanguage++;
    pred.push(j.predict(t));
  });
  return { classification: classification(gold, pred), crossLanguage, noJudge, unjudged, labelCol, rows: texts.length };
}
