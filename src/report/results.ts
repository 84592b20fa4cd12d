import fs from 'node:fs';
import path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import type { RunResults } from '../evaluate/run.js';

/** The one shape of `results.json`, whether it holds one model or several. */
export interface ResultsFile {
  runs: RunResults[];
}

/** What `eval run` writes: always `{ runs: [...] }`. */
export const resultsFile = (runs: RunResults[]): ResultsFile => ({ runs });

/** Read `results.json` (`{ runs: [...] }`; a bare run from an older version is read as one run). */
export function readRuns(file: string): RunResults[] {
  if (!fs.existsSync(file)) throw new InputError(`eval results not found: ${file}`);
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: not JSON (${(e as Error).message})`);
  }
  const runs = j && typeof j === 'object' && Array.isArray((j as ResultsFile).runs) ? (j as ResultsFile).runs : j && typeof j === 'object' && 'tasks' in j ? [j as RunResults] : undefined;
  if (!runs?.length) throw new InputError(`${file}: expected { "runs": [ { "model", "tasks", … } ] } as written by \`vernacular eval run\``);
  runs.forEach((r, k) => {
    if (!r || typeof r !== 'object' || typeof r.model !== 'string' || !r.tasks || typeof r.tasks !== 'object') throw new InputError(`${file}: runs[${k}] needs a model name and tasks`);
  });
  return runs;
}

/** A short name for a model spec, fit for a legend: no folders of the machine that ran it. */
export function modelLabel(spec: string): string {
  const m = /^([a-z]+):(.*)$/.exec(spec);
  if (!m) return path.basename(spec);
  const [, kind, rest] = m;
  if (kind === 'openai') return rest.includes('#') ? rest.slice(rest.lastIndexOf('#') + 1) : rest.replace(/^https?:\/\//, '');
  if (kind === 'command') return rest.trim().split(/\s+/)[0].split(/[\\/]/).pop() ?? rest;
  return path.basename(rest).replace(/\.(json|jsonl|csv|gz|zst)$/g, '').replace(/\.(json|jsonl|csv)$/, '') || rest;
}

/** Labels for several runs, unique (a parent folder or a number is added when two would clash). */
export function modelLabels(runs: Array<{ model: string }>): string[] {
  const base = runs.map((r) => modelLabel(r.model));
  const parent = (spec: string) => path.basename(path.dirname(spec.replace(/^[a-z]+:/, '').split('#')[0]));
  const withParent = runs.map((r, k) => (base.filter((b) => b === base[k]).length > 1 && parent(r.model) && parent(r.model) !== '.' ? `${parent(r.model)}/${base[k]}` : base[k]));
  return withParent.map((l, k) => (withParent.filter((x) => x === l).length > 1 ? `${l} (${k + 1})` : l));
}

/** The run a gate judges: the only one, or the one `--model` names (by label or by full spec). */
export function pickRun(runs: RunResults[], file: string, model?: string): { run: RunResults; label: string } {
  const labels = modelLabels(runs);
  if (model === undefined) {
    if (runs.length === 1) return { run: runs[0], label: labels[0] };
    throw new UsageError(`${file} holds ${runs.length} models (${labels.join(', ')}): name the one to judge with --model <${labels.join('|')}>`);
  }
  const k = runs.findIndex((r, i) => r.model === model || labels[i] === model);
  if (k < 0) throw new UsageError(`--model ${model}: ${file} holds ${labels.join(', ')}`);
  return { run: runs[k], label: labels[k] };
}
