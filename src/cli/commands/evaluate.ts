import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import Papa from 'papaparse';
import { buildEvalSets } from '../../evaluate/build.js';
import { loadSuite, runSuite, type RunResults, type Suite } from '../../evaluate/run.js';
import type { Model } from '../../evaluate/models/types.js';
import { openModel } from '../../evaluate/models/spec.js';
import { CachedModel } from '../../evaluate/models/cache.js';
import { loadJudges } from '../../evaluate/judge.js';
import { trainBaseline, trainJudges } from '../../evaluate/train.js';
import { classification } from '../../evaluate/metrics.js';
import { evalHtml, evalMarkdown } from '../../report/eval-report.js';
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
  writeJsonAtomic(path.join(out, 'results.json'), runs.length === 1 ? runs[0] : { runs });
  writeFileAtomic(path.join(out, 'summary.md'), `# Evaluation: ${suite.name}\n\n${evalMarkdown(runs)}`);
  writeFileAtomic(path.join(out, 'report.html'), evalHtml(runs, `vernacular evaluation — ${suite.name}`));
  return runs;
}

export async function evalRun(o: { model: string[]; suite: string; out?: string; cache?: string; judge?: string; build?: string }, g: GlobalOptions): Promise<CommandResult> {
  if (!o.model?.length) throw new UsageError('eval run needs --model <spec> (ngram:<path>, openai:<url>#<model>, command:<cmd>, predictions:<file>)');
  const out = o.out ?? path.join(path.dirname(path.resolve(o.suite)), 'runs', 'latest');
  const runs = await evalRunMany({ ...o, out, log: makeLog(g), quiet: g.quiet });
  return { summary: runs.length === 1 ? runs[0] : { runs }, text: evalMarkdown(runs) + `\nwrote ${path.relative(process.cwd(), out)}/{results.json,samples.jsonl,summary.md,report.html}` };
}

/** `vernacular eval export --format lm-eval`: task YAML + JSONL for lm-evaluation-harness (--include_path). */
export async function evalExport(o: { suite: string; format: string; out: string }): Promise<CommandResult> {
  if (o.format !== 'lm-eval') throw new UsageError(`unknown export format '${o.format}' (supported: lm-eval)`);
  const suite = loadSuite(path.resolve(o.suite));
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const t of suite.tasks) {
    const src = path.resolve(path.dirname(suite.file), t.set);
    const name = `vernacular_${t.task.replace(/-/g, '_')}`;
    const data = path.join(out, `${name}.jsonl`);
    const rows = fs.readFileSync(src, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    let task: object | undefined;
    if (t.task === 'variety-choice' || t.task === 'dialect-id') {
      writeFileAtomic(data, rows.map((r) => JSON.stringify({ id: r.id, locale: r.locale, context: r.context, choices: r.choices, gold: r.gold })).join('\n') + '\n');
      task = { task: name, dataset_path: 'json', dataset_kwargs: { data_files: { test: data } }, test_split: 'test', output_type: 'multiple_choice', doc_to_text: '{{context}}', doc_to_choice: '{{choices}}', doc_to_target: '{{gold}}', target_delimiter: '', metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }, { metric: 'acc_norm', aggregation: 'mean', higher_is_better: true }], metadata: { version: 1.0 } };
    } else if (t.task === 'perplexity') {
      writeFileAtomic(data, rows.map((r) => JSON.stringify({ id: r.id, locale: r.locale, text: r.text })).join('\n') + '\n');
      task = { task: name, dataset_path: 'json', dataset_kwargs: { data_files: { test: data } }, test_split: 'test', output_type: 'loglikelihood_rolling', doc_to_text: '', doc_to_target: '{{text}}', metric_list: [{ metric: 'word_perplexity' }, { metric: 'byte_perplexity' }, { metric: 'bits_per_byte' }], metadata: { version: 1.0 } };
    } else continue; // generation needs the variety judge: scored by vernacular, not exported
    const yml = path.join(out, `${name}.yaml`);
    writeFileAtomic(yml, YAML.stringify(task));
    written.push(yml);
  }
  return { summary: { out, tasks: written }, text: `wrote ${written.length} lm-eval tasks to ${out}\nrun: lm_eval --model <…> --include_path ${out} --tasks ${written.map((w) => path.basename(w, '.yaml')).join(',')}` };
}

/** `vernacular baseline train --build <dir>`: the n-gram baseline from the train split. */
export async function baselineTrain(o: { build: string; out?: string; order: number }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'baseline', 'ngram.json.gz'));
  const t = trainBaseline({ shardsDir: shardsOf(build), out, order: o.order });
  return { summary: { out, ...t }, text: `trained a ${o.order}-gram character LM on ${t.docs} train docs (${t.chars} chars, ${Object.keys(t.locales).length} locales) → ${path.relative(process.cwd(), out)}\nuse it as --model ngram:${path.relative(process.cwd(), out)} (or ?conditioned for the locale-conditioned variant)` };
}

export function judgeTable(report: { [lang: string]: unknown }): string {
  const lines = ['Variety judge (held-out validation split)', '  lang   n     macro-F1  accuracy'];
  for (const [lang, r] of Object.entries(report) as Array<[string, { n: number; macroF1?: number; accuracy?: number }]>) lines.push(`  ${lang.padEnd(6)} ${String(r.n).padStart(4)}   ${r.macroF1 !== undefined ? r.macroF1.toFixed(3).padStart(8) : '     n/a'}  ${r.accuracy !== undefined ? r.accuracy.toFixed(3).padStart(8) : ''}`);
  return lines.join('\n');
}

/** `vernacular judge train --build <dir>`. */
export async function judgeTrain(o: { build: string; out?: string }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'judge', 'judge.json.gz'));
  const set = trainJudges({ shardsDir: shardsOf(build), out });
  return { summary: { out, report: set.report }, text: judgeTable(set.report) + `\n\nwrote ${path.relative(process.cwd(), out)}` };
}

/** `vernacular judge score --data <file>`: any labelled JSONL/CSV/TSV file against the judge. */
export async function judgeScore(o: { judge: string; data: string; textCol: string; labelCol: string }): Promise<CommandResult> {
  const set = loadJudges(path.resolve(o.judge));
  const file = path.resolve(o.data);
  if (!fs.existsSync(file)) throw new InputError(`judge score: data file not found: ${file}`);
  const raw = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let rows: Array<{ [k: string]: unknown }>;
  if (/\.jsonl?$/.test(file)) rows = raw.split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new InputError(`${file}:${i + 1}: not JSON`);
    }
  });
  else {
    const p = Papa.parse<{ [k: string]: string }>(raw, { header: true, skipEmptyLines: true, delimiter: /\.tsv$/.test(file) ? '\t' : undefined });
    if (p.errors.length) throw new InputError(`${file}: row ${(p.errors[0].row ?? 0) + 2}: ${p.errors[0].message}`);
    rows = p.data;
  }
  const gold: string[] = [];
  const pred: string[] = [];
  rows.forEach((r, i) => {
    const text = r[o.textCol];
    const label = r[o.labelCol];
    if (typeof text !== 'string' || typeof label !== 'string') throw new InputError(`${file}: row ${i + 1}: needs string columns '${o.textCol}' and '${o.labelCol}'`);
    const j = set.judges[label.split('-')[0]];
    if (!j) throw new InputError(`${file}: row ${i + 1}: no judge for the language of '${label}' (judges: ${Object.keys(set.judges).join(', ')})`);
    gold.push(label);
    pred.push(j.predict(text));
  });
  const c = classification(gold, pred);
  const lines = [`${rows.length} rows from ${o.data}`, '  label     precision  recall     F1   support'];
  for (const p of c.perClass) lines.push(`  ${p.label.padEnd(8)} ${p.precision.toFixed(3).padStart(9)} ${p.recall.toFixed(3).padStart(7)} ${p.f1.toFixed(3).padStart(6)} ${String(p.support).padStart(9)}`);
  lines.push(`  macro-F1 ${c.macroF1.toFixed(3)}   accuracy ${c.accuracy.toFixed(3)}`, '', `  confusion (rows gold, columns predicted): ${c.labels.join(' ')}`);
  c.confusion.forEach((row, i) => lines.push(`  ${c.labels[i].padEnd(8)} ${row.map((x) => String(x).padStart(6)).join('')}`));
  return { summary: c, text: lines.join('\n') };
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
