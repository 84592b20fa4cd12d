import path from 'node:path';
import { buildEvalSets } from '../../evaluate/build.js';
import { evalRunMany } from '../../evaluate/run-many.js';
import { shardsDirOf } from '../../shards/manifest.js';
import { evalMarkdown } from '../../report/eval-report.js';
import { resultsFile } from '../../report/results.js';
import { InputError, UsageError } from '../../errors.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';

/** `vernacular eval build --build <dir>`: eval sets from the test split's authors. */
export async function evalBuild(_args: string[], o: { build: string; out?: string; maxPerLocale?: number }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'eval'));
  const r = buildEvalSets({ shardsDir: shardsDirOf(build), outDir: out, maxPerLocale: o.maxPerLocale });
  const locs = [...new Set(Object.values(r.counts).flatMap((c) => Object.keys(c)))].sort();
  const tasks = Object.keys(r.counts);
  const lines = [`Eval sets (test-split authors only) → ${path.relative(process.cwd(), out) || out}`, `  ${'locale'.padEnd(8)}${tasks.map((t) => t.padStart(16)).join('')}`];
  for (const l of locs) lines.push(`  ${l.padEnd(8)}${tasks.map((t) => String(r.counts[t][l] ?? 0).padStart(16)).join('')}`);
  lines.push(`  suite: ${path.relative(process.cwd(), r.suite)}`);
  return { summary: { out, suite: r.suite, counts: r.counts }, text: lines.join('\n') };
}

/** `vernacular eval run`: one or more models on a suite (`evalRunMany`), the scores printed. */
export async function evalRun(_args: string[], o: { model: string[]; suite: string; out?: string; cache?: string; judge?: string; build?: string }, g: GlobalOptions): Promise<CommandResult> {
  if (!o.model?.length) throw new UsageError('eval run needs --model <spec> (ngram:<path>, openai:<url>#<model>, openai-chat:<url>#<model>, command:<cmd>, predictions:<file>)');
  const out = o.out ?? path.join(path.dirname(path.resolve(o.suite)), 'runs', 'latest');
  const runs = await evalRunMany({ ...o, out, log: makeLog(g), quiet: g.quiet });
  const notes = runs.flatMap((r) => (r.notes ?? []).map((n) => `note (${r.model}): ${n}
`)).join('');
  return { summary: resultsFile(runs), text: evalMarkdown(runs) + notes + `
wrote ${path.relative(process.cwd(), out)}/{results.json,samples.jsonl,summary.md,report.html}` };
}

/** `vernacular eval export --format lm-eval`: a folder for lm-evaluation-harness (`exportLmEval`). */
export async function evalExport(_args: string[], o: { suite: string; format: string; out: string }): Promise<CommandResult> {
  if (o.format !== 'lm-eval') throw new UsageError(`unknown export format '${o.format}' (supported: lm-eval)`);
  const { exportLmEval } = await import('../../evaluate/lm-eval.js');
  const { out, groups, notes } = exportLmEval(o);
  const text = [
    `wrote ${groups.length} lm-eval groups (${groups.reduce((s, g) => s + g.subtasks.length, 0)} per-locale tasks) to ${out}:`,
    ...groups.map((g) => `  ${g.group} (${g.subtasks.length} locales)`),
    ...notes.map((n) => `  ${n}`),
    `run: lm_eval --model <…> --include_path ${out} --tasks ${groups.map((g) => g.group).join(',')}`,
  ].join('\n');
  return { summary: { out, groups, notes }, text };
}

/** `vernacular eval requests --suite <file> --out <file>`: every request the suite makes (`writeSuiteRequests`). */
export async function evalRequests(_args: string[], o: { suite: string; out: string; chat?: boolean }): Promise<CommandResult> {
  const { writeSuiteRequests } = await import('../../evaluate/requests.js');
  const { out, requests, byKind } = await writeSuiteRequests(o);
  const spec = `predictions:<answers.jsonl>${o.chat ? '?chat' : ''}`;
  return {
    summary: { out, requests, byKind, chat: !!o.chat },
    text: [
      `wrote ${requests.toLocaleString('en')} requests (${byKind.loglikelihood.toLocaleString('en')} loglikelihood, ${byKind.generate.toLocaleString('en')} generate) to ${out}`,
      `answer each as {"key": …, "logprob": <natural log, ≤ 0>} or {"key": …, "text": …}, then: vernacular eval run --model ${spec} --suite ${o.suite}`,
    ].join('\n'),
  };
}

/** `vernacular eval separation --build <dir>`: the separation demonstration (see evaluate/separation.ts). */
export async function evalSeparation(_args: string[], o: { build: string; seed?: number }): Promise<CommandResult> {
  const { separation, separationTable } = await import('../../evaluate/separation.js');
  const build = path.resolve(o.build);
  const cells = await separation({ shardsDir: shardsDirOf(build), evalDir: path.join(build, 'eval'), seed: o.seed });
  if (!cells.length) throw new InputError(`${build}: no language with two locales in the non-test docs: nothing to separate`);
  return { summary: { cells }, text: separationTable(cells) };
}
