import path from 'node:path';
import { runFilter } from '../../eligibility/filter-stage.js';
import { funnelTable } from '../../pipeline/stats.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from './filter.js';
import { runSegment, segmentTable } from '../../segment/stage.js';
import { runFeatures, featuresTable, featureRates } from '../../features/stage.js';
import { runShards, planTable } from '../../shards/stage.js';

/** `vernacular run`: the whole flow, stage after stage, into one output folder. */
export async function run(opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, g, 'run');
  const sections: string[] = [];
  const summary: { [k: string]: unknown } = { out: ctx.out };

  const steps = 4;
  ctx.log(`[1/${steps}] filter`);
  const f = await runFilter({ ...ctx, stage: 'filter' });
  summary.filter = { funnel: f.funnel };
  sections.push(funnelTable(f.funnel));

  ctx.log(`[2/${steps}] segment`);
  const seg = await runSegment({ ...ctx, stage: 'segment' });
  summary.segment = seg;
  sections.push(segmentTable(seg, ctx.loaded.config.segment.locales));

  ctx.log(`[3/${steps}] features`);
  const fs = await runFeatures({ ...ctx, stage: 'features' });
  summary.features = featureRates(fs);
  sections.push(featuresTable(fs));

  ctx.log(`[4/${steps}] shards`);
  const sh = await runShards({ ...ctx, stage: 'shards' });
  summary.shards = { dir: sh.dir, counts: sh.manifest.counts, files: sh.manifest.shards.length };
  sections.push(planTable(sh.manifest));

  sections.push(`Output: ${path.relative(process.cwd(), ctx.out) || ctx.out}`);
  return { summary, text: sections.join('\n\n') };
}
