import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadSuite } from './run.js';
import { writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';

/** What the lm-eval export wrote: the folder, one group per task (and variant) with its per-locale subtasks, what was left out and why. */
export interface LmEvalExport {
  out: string;
  groups: Array<{ group: string; subtasks: string[] }>;
  notes: string[];
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
 * The lm-eval export (`vernacular eval export --format lm-eval`): a folder for lm-evaluation-harness (--include_path):
 * per task a group with one subtask per locale (lm-eval prints each locale and the group's
 * unweighted mean, the project's macro average), the data next to the YAML and loaded relative
 * to it, `acc` and `acc_bytes` (the project's length-normalised choice), the preamble variant of
 * variety-choice as its own group. Generation is left out, with the reason printed.
 */
export function exportLmEval(o: { suite: string; out: string }): LmEvalExport {
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
  return { out, groups, notes };
}
