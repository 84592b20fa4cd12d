import path from 'node:path';
import { runFlow } from '../../flow/run.js';
import type { BuildOptions } from '../../pipeline/context.js';
import { funnelTable } from '../../pipeline/stats.js';
import { segmentTable } from '../../segment/stage.js';
import { featuresTable } from '../../features/stage.js';
import { planTable } from '../../shards/manifest.js';
import { judgeTable } from '../../evaluate/judge-data.js';
import { compareTable } from '../../report/compare.js';
import { coverageTable } from '../../report/coverage.js';
import type { CommandResult, GlobalOptions } from '../io.js';

/** `vernacular run`: the whole flow (`runFlow`), its tables printed. */
export async function run(_args: string[], opts: BuildOptions & { workers?: number }, g: GlobalOptions): Promise<CommandResult> {
  const r = await runFlow({ ...opts, quiet: g.quiet });
  const sections = [funnelTable(r.filter.funnel), segmentTable(r.segment, r.loaded.config.segment.locales), featuresTable(r.features), planTable(r.shards.manifest)];
  if (r.evaluate) {
    sections.push(judgeTable(r.evaluate.judges.report));
    sections.push(compareTable(r.evaluate.runs, r.evaluate.names) + `\n\n  report: ${path.relative(process.cwd(), r.evaluate.reportFile)}`);
  }
  const verdicts = r.coverage;
  if (verdicts) sections.push(coverageTable(verdicts).split('\n').slice(-1 - verdicts.filter((v) => !v.pass).length).join('\n'));
  sections.push(`Report: ${path.relative(process.cwd(), r.report)}`);
  sections.push(`Output: ${path.relative(process.cwd(), r.out) || r.out}`);
  return { summary: r.summary, text: sections.join('\n\n') };
}
