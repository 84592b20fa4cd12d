import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import Papa from 'papaparse';
import { buildEvalSets } from '../../evaluate/build.js';
import { loadSuite, runSuite, type RunResults, type Suite } from '../../evaluate/run.js';
import type { Model } from '../../evaluate/models/types.js';
import { openModel } from '../../evaluate/models/spec.js';
import { CachedModel } from '../../evaluate/models/cache.js';
import { LanguageJudge, loadJudges, saveJudges, type JudgeSet } from '../../evaluate/judge.js';
import { resolveSecret } from '../../eligibility/keyed-hash.js';
import { trainBaseline, trainJudges } from '../../evaluate/train.js';
import { classification } from '../../evaluate/metrics.js';
import { evalHtml, evalMarkdown } from '../../report/eval-report.js';
import { resultsFile } from '../../report/results.js';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic.js';
import { JsonlWriter } from '../../io/writers/jsonl.js';
import { InputError, UsageError } from '../../errors.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';
import { Progress } from '../../pipeline/progress.js';

const shardsOf = (build: string) => (fs.existsSync(path.join(build, 'manifest.json')) ? build : path.join(build, 'shards'));

/** `vernacular eval build --build <dir>`: eval sets from the test split's authors. */
export async function evalBuild(o: { build: string; out?: string; maxPerLocale?: number }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'eval'));
  const r = buildEvalSets({ shardsDir: shardsOf(build), outDir: out, maxPerLocale: o.maxPerLocale });
  const locs = [...new Set(Object.values(r.counts).flatMap((c) => Object.keys(c)))].sort();
  const tasks = Object.keys(r.counts);
  const lines = [`Eval sets (test-split authors only) → ${path.relative(process.cwd(), out) || out}`, `  ${'locale'.padEnd(8)}${tasks.map((t) => t.padStart(16)).join('')}`];
  for (const l of locs) lines.push(`  ${l.padEnd(8)}${tasks.map((t) => String(r.counts[t][l] ?? 0).padStart(16)).join('')}`);
  lines.push(`  suite: ${path.relative(process.cwd(), r.suite)}`);
  return { summary: { out, suite: r.suite, counts: r.counts }, text: lines.join('\n') };
}

/** Reference feature rates (lexicon hits per 1k tokens) per locale from a build's features stage. */
export function referenceRates(build: string): { [locale: string]: number } | undefined {
  const f = path.join(build, 'features', 'rates.json');
  if (!fs.existsSync(f)) return undefined;
  const j = JSON.parse(fs.readFileSync(f, 'utf8')) as { counts: { byLocale: { [l: string]: { tokens: number; byFeature: { [k: string]: number } } } } };
  return Object.fromEntries(
    Object.entries(j.counts.byLocale).map(([l, c]) => [l, (1000 * Object.values(c.byFeature).reduce((s, n) => s + n, 0)) / Math.max(1, c.tokens)]),
  );
}

/** How many model requests a suite makes (what runSuite sends): choices × variants, one per text or generation. */
export function suiteRequests(suite: Suite): number {
  let n = 0;
  for (const t of suite.tasks) {
    const file = path.resolve(path.dirname(suite.file), t.set);
    let rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    if (t.limit) rows = rows.slice(0, t.limit);
    if (t.task === 'variety-choice' || t.task === 'dialect-id') {
      const choices = rows.reduce((s, l) => s + ((JSON.parse(l) as { choices?: unknown[] }).choices?.length ?? 0), 0);
      n += choices * (t.task === 'variety-choice' ? 2 : 1);
    } else n += rows.length;
  }
  return n;
}

/** The model under the cache, counting the requests it answers (the cache asks it in chunks). */
function counted(inner: Model, add: (n: number) => void): Model {
  return {
    id: inner.id,
    // what the model can do must pass through (a chat model's choice tasks run as forced choice)
    promptLogprobs: inner.promptLogprobs,
    loglikelihood: async (r) => {
      const v = await inner.loglikelihood(r);
      add(r.length);
      return v;
    },
    loglikelihoodRolling: async (t) => {
      const v = await inner.loglikelihoodRolling(t);
      add(t.length);
      return v;
    },
    generate: async (r) => {
      const v = await inner.generate(r);
      add(r.length);
      return v;
    },
    close: inner.close ? () => inner.close!() : undefined,
  };
}

/** Run a suite for one or more models; writes results.json, samples.jsonl, summary.md, report.html. */
export async function evalRunMany(o: { model: string[]; suite: string; out: string; cache?: string; judge?: string; build?: string; quiet?: boolean; log?: (s: string) => void }): Promise<RunResults[]> {
  const suite = loadSuite(path.resolve(o.suite));
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const judges = o.judge ? loadJudges(path.resolve(o.judge)) : undefined;
  const refs = o.build ? referenceRates(path.resolve(o.build)) : undefined;
  const runs: RunResults[] = [];
  const samples = new JsonlWriter(path.join(out, 'samples.jsonl'));
  try {
    for (const spec of o.model) {
      o.log?.(`evaluating ${spec}`);
      const inner = await openModel(spec);
      // progress on a terminal: requests done/total (cache hits + answered by the model), rate, ETA
      let answered = 0;
      let model: CachedModel | undefined;
      const progress = new Progress(`eval ${spec.length > 40 ? '…' + spec.slice(-39) : spec}`, suiteRequests(suite), { quiet: o.quiet, unit: 'requests', detail: () => `cache hits ${(model?.hits ?? 0).toLocaleString('en')}` });
      model = await CachedModel.open(
        counted(inner, (n) => {
          answered += n;
          progress.set(model!.hits + answered);
        }),
        path.resolve(o.cache ?? path.join(out, 'cache.sqlite')),
      );
      try {
        const r = await runSuite(model, suite, { judges, referenceRates: refs, onSample: (s) => samples.write({ model: spec, ...s }), log: o.log });
        progress.set(model.hits + answered);
        progress.end();
        r.model = spec;
        r.cache = { hits: model.hits, misses: model.misses };
        r.retried = (inner as { retried?: number }).retried ?? 0;
        runs.push(r);
      } finally {
        await model.close();
      }
    }
    await samples.close();
  } catch (e) {
    samples.abort();
    throw e;
  }
  writeJsonAtomic(path.join(out, 'results.json'), resultsFile(runs));
  writeFileAtomic(path.join(out, 'summary.md'), `# Evaluation: ${suite.name}\n\n${evalMarkdown(runs)}`);
  writeFileAtomic(path.join(out, 'report.html'), evalHtml(runs, `vernacular evaluation — ${suite.name}`));
  return runs;
}

export async function evalRun(o: { model: string[]; suite: string; out?: string; cache?: string; judge?: string; build?: string }, g: GlobalOptions): Promise<CommandResult> {
  if (!o.model?.length) throw new UsageError('eval run needs --model <spec> (ngram:<path>, openai:<url>#<model>, openai-chat:<url>#<model>, command:<cmd>, predictions:<file>)');
  const out = o.out ?? path.join(path.dirname(path.resolve(o.suite)), 'runs', 'latest');
  const runs = await evalRunMany({ ...o, out, log: makeLog(g), quiet: g.quiet });
  const notes = runs.flatMap((r) => (r.notes ?? []).map((n) => `note (${r.model}): ${n}
`)).join('');
  return { summary: resultsFile(runs), text: evalMarkdown(runs) + notes + `
wrote ${path.relative(process.cwd(), out)}/{results.json,samples.jsonl,summary.md,report.html}` };
}

/**
 * The loader the exported tasks name as `custom_dataset`: it reads a JSONL file next to itself
 * (so the folder can be moved or copied anywhere) and keeps one locale's rows.
 */
const LM_EVAL_LOADER = `"""Written by \`vernacular eval export --format lm-eval\`: loads the task data from this folder."""
import json
import os

import datasets

HERE = os.path.dirname(os.path.abspath(__file__))


def load(data_file, locale=None, **_):
    with open(os.path.join(HERE, data_file), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if locale is not None:
        rows = [r for r in rows if r["locale"] == locale]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})
`;

/** A task or group YAML; `custom_dataset` carries lm-eval's `!function` tag, which YAML.stringify cannot write. */
const lmEvalYaml = (o: object, customDataset = false) => (customDataset ? 'custom_dataset: !function vernacular_data.load\n' : '') + YAML.stringify(o);

/**
 * `vernacular eval export --format lm-eval`: a folder for lm-evaluation-harness (--include_path):
 * per task a group with one subtask per locale (lm-eval prints each locale and the group's
 * unweighted mean, the project's macro average), the data next to the YAML and loaded relative
 * to it, `acc` and `acc_bytes` (the project's length-normalised choice), the preamble variant of
 * variety-choice as its own group. Generation is left out, with the reason printed.
 */
export async function evalExport(o: { suite: string; format: string; out: string }): Promise<CommandResult> {
  if (o.format !== 'lm-eval') throw new UsageError(`unknown export format '${o.format}' (supported: lm-eval)`);
  const suite = loadSuite(path.resolve(o.suite));
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, 'vernacular_data.py'), LM_EVAL_LOADER);
  const groups: Array<{ group: string; subtasks: string[] }> = [];
  const notes: string[] = [];
  const locName = (l: string) => l.replace(/[^A-Za-z0-9]+/g, '_');
  for (const t of suite.tasks) {
    const src = path.resolve(path.dirname(suite.file), t.set);
    const base = t.task.replace(/-/g, '_');
    let rows = fs.readFileSync(src, 'utf8').split('\n').filter(Boolean).map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new InputError(`${src}:${i + 1}: not JSON`);
      }
    });
    if (t.limit) rows = rows.slice(0, t.limit);
    const locales = [...new Set(rows.map((r) => String(r.locale)))].sort();
    const dataFile = `${base}.jsonl`;
    let variants: Array<{ group: string; task: (locale: string) => object; metrics: string[] }>;
    if (t.task === 'variety-choice' || t.task === 'dialect-id') {
      writeFileAtomic(path.join(out, dataFile), rows.map((r) => JSON.stringify({ id: r.id, locale: r.locale, context: r.context, context_preamble: r.contextPreamble ?? r.context, choices: r.choices, gold: r.gold })).join('\n') + '\n');
      const mc = (field: string) => (locale: string) => ({ dataset_kwargs: { data_file: dataFile, locale }, test_split: 'test', output_type: 'multiple_choice', doc_to_text: `{{${field}}}`, doc_to_choice: '{{choices}}', doc_to_target: '{{gold}}', target_delimiter: '', metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }, { metric: 'acc_bytes', aggregation: 'mean', higher_is_better: true }] });
      variants = [{ group: `vernacular_${base}`, task: mc('context'), metrics: ['acc', 'acc_bytes'] }];
      if (t.task === 'variety-choice') variants.push({ group: `vernacular_${base}_preamble`, task: mc('context_preamble'), metrics: ['acc', 'acc_bytes'] });
    } else if (t.task === 'perplexity') {
      writeFileAtomic(path.join(out, dataFile), rows.map((r) => JSON.stringify({ id: r.id, locale: r.locale, text: r.text })).join('\n') + '\n');
      variants = [{ group: `vernacular_${base}`, task: (locale) => ({ dataset_kwargs: { data_file: dataFile, locale }, test_split: 'test', output_type: 'loglikelihood_rolling', doc_to_text: '', doc_to_target: '{{text}}', metric_list: [{ metric: 'word_perplexity' }, { metric: 'byte_perplexity' }, { metric: 'bits_per_byte' }] }), metrics: ['bits_per_byte'] }];
    } else {
      notes.push(`generation: left out — its scores come from vernacular's variety judge and feature lexicons, which lm-eval does not have; run \`vernacular eval run\` for it`);
      continue;
    }
    for (const v of variants) {
      const subtasks: string[] = [];
      for (const l of locales) {
        const name = `${v.group}_${locName(l)}`;
        writeFileAtomic(path.join(out, `${name}.yaml`), lmEvalYaml({ task: name, task_alias: l, ...v.task(l), metadata: { version: 1.0 } }, true));
        subtasks.push(name);
      }
      writeFileAtomic(path.join(out, `${v.group}.yaml`), lmEvalYaml({ group: v.group, task: subtasks, aggregate_metric_list: v.metrics.map((metric) => ({ metric, aggregation: 'mean', weight_by_size: false })), metadata: { version: 1.0 } }));
      groups.push({ group: v.group, subtasks });
    }
  }
  const text = [
    `wrote ${groups.length} lm-eval groups (${groups.reduce((s, g) => s + g.subtasks.length, 0)} per-locale tasks) to ${out}:`,
    ...groups.map((g) => `  ${g.group} (${g.subtasks.length} locales)`),
    ...notes.map((n) => `  ${n}`),
    `run: lm_eval --model <…> --include_path ${out} --tasks ${groups.map((g) => g.group).join(',')}`,
  ].join('\n');
  return { summary: { out, groups, notes }, text };
}

/**
 * `vernacular eval requests --suite <file> --out <file>`: every request the suite makes, one JSONL
 * line each (`key`, `kind`, `request`), for a system that cannot be called during a run: answer
 * each by its key (`{"key", "logprob"}` or `{"key", "text"}`) and run `eval run --model
 * predictions:<answers>`. `--chat`: the requests of a model without prompt log-probabilities.
 */
export async function evalRequests(o: { suite: string; out: string; chat?: boolean }): Promise<CommandResult> {
  const { RequestRecorder } = await import('../../evaluate/models/predictions.js');
  const suite = loadSuite(path.resolve(o.suite));
  const rec = new RequestRecorder(o.chat);
  await runSuite(rec, suite, { onSample: () => undefined, requestsOnly: true });
  const out = path.resolve(o.out);
  const w = new JsonlWriter(out);
  try {
    for (const r of rec.requests) {
      const p = w.write(r);
      if (p) await p;
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  const byKind = { loglikelihood: 0, generate: 0 };
  for (const r of rec.requests) byKind[r.kind]++;
  const spec = `predictions:<answers.jsonl>${o.chat ? '?chat' : ''}`;
  return {
    summary: { out, requests: rec.requests.length, byKind, chat: !!o.chat },
    text: [
      `wrote ${rec.requests.length.toLocaleString('en')} requests (${byKind.loglikelihood.toLocaleString('en')} loglikelihood, ${byKind.generate.toLocaleString('en')} generate) to ${out}`,
      `answer each as {"key": …, "logprob": <natural log, ≤ 0>} or {"key": …, "text": …}, then: vernacular eval run --model ${spec} --suite ${o.suite}`,
    ].join('\n'),
  };
}

/** `vernacular eval separation --build <dir>`: the separation demonstration (see evaluate/separation.ts). */
export async function evalSeparation(o: { build: string; seed?: number }): Promise<CommandResult> {
  const { separation, separationTable } = await import('../../evaluate/separation.js');
  const build = path.resolve(o.build);
  const cells = await separation({ shardsDir: shardsOf(build), evalDir: path.join(build, 'eval'), seed: o.seed });
  if (!cells.length) throw new InputError(`${build}: no language with two locales in the non-test docs: nothing to separate`);
  return { summary: { cells }, text: separationTable(cells) };
}

/** `vernacular baseline train --build <dir>`: the n-gram baseline from the train split. */
export async function baselineTrain(o: { build: string; out?: string; order: number }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'baseline', 'ngram.json.gz'));
  const t = trainBaseline({ shardsDir: shardsOf(build), out, order: o.order });
  return { summary: { out, ...t }, text: `trained a ${o.order}-gram character LM on ${t.docs} train docs (${t.chars} chars, ${Object.keys(t.locales).length} locales) → ${path.relative(process.cwd(), out)}\nuse it as --model ngram:${path.relative(process.cwd(), out)} (or ?conditioned for the locale-conditioned variant)` };
}

export function judgeTable(report: { [lang: string]: unknown }): string {
  const lines = ['Variety judge (author-disjoint held-out fold; trained on every non-test author\'s docs)', '  lang   train  held-out  macro-F1  accuracy   ECE'];
  for (const [lang, r] of Object.entries(report) as Array<[string, { n?: number; trainedOn?: number; macroF1?: number; accuracy?: number; ece?: number }]>) {
    if (lang.startsWith('_')) continue;
    const f = (x: number | undefined, w = 8) => (x !== undefined && Number.isFinite(x) ? x.toFixed(3).padStart(w) : 'n/a'.padStart(w));
    lines.push(`  ${lang.padEnd(6)} ${String(r.trainedOn ?? '').padStart(5)}  ${String(r.n ?? 0).padStart(8)}  ${f(r.macroF1)}  ${f(r.accuracy)}  ${f(r.ece, 5)}`);
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

/** The language of a text as a judge key (`de`, `en`, …; `und` when too little text). */
async function detector(): Promise<(text: string) => string> {
  const { Cascade } = await import('../../segment/cascade.js');
  const { toBcp47 } = await import('../../segment/codes.js');
  const c = new Cascade();
  return (text) => toBcp47(c.detect(text).code);
}

const LOCALE = /^[a-z]{2,3}-[A-Z]{2}$/;
/** the prediction column of rows whose detected language has no judge */
const NO_JUDGE = '(no judge)';

/** `vernacular judge train --build <dir>` or `--input FILE --label-col C [--text-col T] [--lang L]`. */
export async function judgeTrain(o: { build?: string; input?: string; labelCol?: string; textCol?: string; groupCol?: string; lang?: string; out?: string; seed?: number; insecureDevSecret?: boolean }): Promise<CommandResult> {
  if (!!o.build === !!o.input) throw new UsageError('judge train needs exactly one of --build <dir> or --input <file>');
  if (o.build) {
    const build = path.resolve(o.build);
    const out = path.resolve(o.out ?? path.join(build, 'judge', 'judge.json.gz'));
    let secret: string | undefined;
    try {
      secret = resolveSecret(!!o.insecureDevSecret).secret;
    } catch {
      secret = undefined; // without the secret: the shards' non-test splits only
    }
    const set = await trainJudges({ shardsDir: shardsOf(build), out, secret, seed: o.seed });
    const note = secret ? '' : '\n(no VERNACULAR_SECRET: trained on the shards\' train and validation splits only, not on the docs balance left out)';
    return { summary: { out, report: set.report }, text: judgeTable(set.report) + note + `\n\nwrote ${path.relative(process.cwd(), out)}` };
  }
  const file = path.resolve(o.input!);
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
  for (const [lang, d] of [...byLang.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (new Set(d.labels).size < 2) throw new InputError(`${file}: language ${lang} has one label (${d.labels[0]}) in column '${labelCol}': a judge needs two or more`);
    const j = LanguageJudge.train(d.texts, d.labels, { seed: o.seed, groups: d.groups });
    set.judges[lang] = j;
    set.report[lang] = { heldOut: o.groupCol ? `calibration fold of whole '${o.groupCol}' groups` : 'random calibration fold (use --group-col for speakers/authors)', ...j.report?.heldOut, trainedOn: j.report?.n, perLabel: j.report?.perLabel, temperature: j.temperature };
  }
  set.report._input = { file, labelCol, keyedBy: how };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  saveJudges(out, set);
  return { summary: { out, report: set.report }, text: judgeTable(set.report) + `\n(judge per language chosen by ${how})\n\nwrote ${path.relative(process.cwd(), out)}` };
}

/**
 * `vernacular judge score --data <file>`: any labelled JSONL/CSV/TSV file against the judge. The
 * judge answering a row is chosen from the text (its detected language) or `--lang`, never from the
 * gold label, so a text in the wrong language is an error that counts.
 */
export async function judgeScore(o: { judge: string; data: string; textCol: string; labelCol?: string; lang?: string }): Promise<CommandResult> {
  const set = loadJudges(path.resolve(o.judge));
  const file = path.resolve(o.data);
  const { texts, labels: gold, labelCol } = readLabelled(file, o.textCol, o.labelCol);
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
  const c = classification(gold, pred);
  const lines = [`${texts.length} rows from ${o.data} (gold column '${labelCol}'; judge chosen by ${o.lang ? `--lang ${o.lang}` : 'detected language'})`, '  label     precision  recall     F1   support'];
  for (const p of c.perClass) lines.push(`  ${p.label.padEnd(8)} ${p.precision.toFixed(3).padStart(9)} ${p.recall.toFixed(3).padStart(7)} ${p.f1.toFixed(3).padStart(6)} ${String(p.support).padStart(9)}`);
  lines.push(`  macro-F1 ${c.macroF1.toFixed(3)}   accuracy ${c.accuracy.toFixed(3)}   cross-language errors ${crossLanguage} (no judge for the detected language: ${noJudge}${noJudge ? `: ${Object.entries(unjudged).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ')}; name the judge with --lang` : ''})`, '', `  confusion (rows gold, columns predicted): ${c.labels.join(' ')}`);
  c.confusion.forEach((row, i) => lines.push(`  ${c.labels[i].padEnd(8)} ${row.map((x) => String(x).padStart(6)).join('')}`));
  return { summary: { ...c, crossLanguage, noJudge, unjudged }, text: lines.join('\n') };
}

/** `vernacular serve-model --model ngram:<path> --port P`. */
export async function serveModelCmd(o: { model: string; port: number; host: string; name: string }, g: GlobalOptions): Promise<CommandResult> {
  if (!o.model.startsWith('ngram:')) throw new UsageError('serve-model serves the built-in baseline: --model ngram:<path>');
  const { NgramModel } = await import('../../evaluate/models/ngram.js');
  const { serveModel } = await import('../../evaluate/serve.js');
  const [file, q] = o.model.slice(6).split('?');
  const server = await serveModel(new NgramModel(path.resolve(file), q === 'conditioned'), { host: o.host, port: o.port, name: o.name });
  const addr = server.address() as { port: number };
  makeLog(g)(`serving ${o.model} as an OpenAI-compatible API on http://${o.host}:${addr.port}/v1 (model name "${o.name}"); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { summary: { stopped: true } };
}
