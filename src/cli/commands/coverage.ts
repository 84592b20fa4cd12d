import fs from 'node:fs';
import path from 'node:path';
import { applyRules, coverageMarkdown, coverageTable, junitXml, loadRules, measureBuild, measureBuildTimed } from '../../report/coverage.js';
import { buildReportHtml } from '../../report/build-report.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { ExitCode, InputError } from '../../errors.js';
import type { CommandResult } from '../io.js';
import { modelLabels, pickRun, readRuns } from '../../report/results.js';

/** `vernacular coverage`: the CI gate. Exit 0 when every rule holds, 1 when any fails, 2 on a bad rules file. */
export async function coverage(_args: string[], o: { build: string; eval?: string; model?: string; rules: string; junit?: string; markdown?: string }): Promise<CommandResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const rules = loadRules(path.resolve(o.rules));
  const build = path.resolve(o.build);
  // a results file of the wrong shape, or several models and no --model: say so before the long measuring
  if (o.eval) pickRun(readRuns(path.resolve(o.eval)), path.resolve(o.eval), o.model);
  const measured = measureBuildTimed(build);
  const verdicts = applyRules(rules, measured.measures, o.eval ? path.resolve(o.eval) : undefined, { model: o.model });
  if (o.junit) writeFileAtomic(path.resolve(o.junit), junitXml(verdicts, { startedAt, seconds: (performance.now() - t0) / 1000, localeSeconds: measured.seconds }));
  if (o.markdown) writeFileAtomic(path.resolve(o.markdown), coverageMarkdown(verdicts));
  const failed = verdicts.filter((v) => !v.pass);
  return { summary: { pass: !failed.length, checks: verdicts.length, failed: failed.length, model: verdicts.find((v) => v.model)?.model ?? null, verdicts }, text: coverageTable(verdicts), exitCode: failed.length ? ExitCode.gateFailed : 0 };
}

/** `vernacular report`: one self-contained HTML file for a build. */
export async function report(_args: string[], o: { build: string; eval?: string; model?: string; rules?: string; out?: string }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  if (!fs.existsSync(path.join(build, 'filter', 'stats.json'))) throw new InputError(`report: ${build} is not a build folder (no filter/stats.json)`);
  const evalFile = o.eval ? path.resolve(o.eval) : path.join(build, 'eval', 'runs', 'compare', 'results.json');
  const runs = fs.existsSync(evalFile) ? readRuns(evalFile) : undefined;
  const verdicts = o.rules ? applyRules(loadRules(path.resolve(o.rules)), measureBuild(build), fs.existsSync(evalFile) ? evalFile : undefined, { model: o.model ?? (runs && runs.length > 1 ? modelLabels(runs)[0] : undefined) }) : undefined;
  const out = path.resolve(o.out ?? path.join(build, 'report.html'));
  writeFileAtomic(out, buildReportHtml(build, { eval: runs, verdicts }));
  return { summary: { report: out }, text: `wrote ${path.relative(process.cwd(), out) || out}` };
}
