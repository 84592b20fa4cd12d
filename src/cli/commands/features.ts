import path from 'node:path';
import { runFeatures, featuresTable, featureRates } from '../../features/stage.js';
import { buildContext, type BuildOptions } from '../../pipeline/context.js';
import type { CommandResult, GlobalOptions } from '../io.js';

/** `vernacular features`: dialect & colloquial features of the segmented docs, per-locale rates. */
export async function features(_args: string[], opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, 'features', g);
  const st = await runFeatures(ctx);
  return { summary: { stage: 'features', out: ctx.out, rates: featureRates(st) }, text: featuresTable(st) + `\n\nwrote ${path.join(path.relative(process.cwd(), ctx.out) || '.', 'features')}` };
}
