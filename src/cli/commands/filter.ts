import path from 'node:path';
import { assertUseful, runFilter } from '../../eligibility/filter-stage.js';
import { buildContext, type BuildOptions } from '../../pipeline/context.js';
import { funnelTable } from '../../pipeline/stats.js';
import type { CommandResult, GlobalOptions } from '../io.js';

/** `vernacular filter`: eligible docs, ledgers and the funnel. */
export async function filter(_args: string[], opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, 'filter', g);
  const r = assertUseful(await runFilter(ctx));
  return {
    summary: { stage: 'filter', out: ctx.out, funnel: r.funnel, skippedPartitions: r.skipped },
    text: funnelTable(r.funnel) + `\n\nwrote ${path.relative(process.cwd(), r.dir) || r.dir}`,
  };
}
