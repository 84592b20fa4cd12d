import fs from 'node:fs';
import path from 'node:path';
import { applyRules, coverageMarkdown, coverageTable, junitXml, loadRules, measureBuild } from '../../report/coverage.js';
import { buildReportHtml } from '../../report/build-report.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { ExitCode, InputError } from '../../errors.js';
import type { CommandResult } from '../io.js';
import type { RunResults } from '../../evaluate/run.js';

/** `vernacular coverage`: the CI gate. Exit 0 when every rule holds, 1 when any fails, 2 on a bad rules file. */
export async function coverage(o: { build: string; eval?: string; rules: string; junit?: string; markdown?: string }): Promise<CommandResult> {
  const rules = loadRules(path.resolve(o.rules));
  const build = path.resolve(o.build);
  const verdicts = applyRules(rules, measureBuild(build), o.eval ? path.resolve(o.eval) : undefined);
  if (o.junit) writeFileAtomic(path.resolve(o.junit), junitXml(verdicts));
  if (o.markdown) writeFileAtomic(path.resolve(o.markdown), coverageMarkdown(verdicts));
  const failed = verdicts.filter((v) => !v.pass);
  return { summary: { pass: !failed.length, checks: verdicts.length, failed: failed.length, verdicts }, text: coverageTable(verdicts), exitCode: failed.length ? ExitCode.gateFailed : 0 };
}

export function readRuns(file: string): RunResults[] {
  if (!fs.existsSync(file)) throw new InputError(`eval results not found: ${file}`);
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  return j.runs ?? [j];
}

/** `vernacular report`: one self-contained HTML file for a build. */
export async function report(o: { build: string; eval?: string; rules?: string; out?: string }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  if (!fs.existsSync(path.join(build, 'filter', 'stats.json'))) throw new InputError(`report: ${build} is not a build folder (no filter/stats.json)`);
  const evalFile = o.eval ? path.resolve(o.eval) : path.join(build, 'eval', 'runs', 'compare', 'results.json');
  const runs = fs.existsSync(evalFile) ? readRuns(evalFile) : undefined;
  const verdicts = o.rules ? applyRules(loadRules(path.resolve(o.rules)), measureBuild(build), fs.existsSync(evalFile) ? evalFile : undefined) : undefined;
  const out = path.resolve(o.out ?? path.join(build, 'report.html'));
  writeFileAtomic(out, buildReportHtml(build, { eval: runs, verdicts }));
  return { summary: { report: out }, text: `wrote ${path.relative(process.cwd(), out) || out}` };
}
