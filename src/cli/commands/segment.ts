import path from 'node:path';
import { runSegment, segmentTable } from '../../segment/stage.js';
import { buildContext, type BuildOptions } from '../../pipeline/context.js';
import type { CommandResult, GlobalOptions } from '../io.js';

/** `vernacular segment`: language ID + locale of the filtered docs of a build. */
export async function segment(_args: string[], opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, 'segment', g);
  const st = await runSegment(ctx);
  return { summary: { stage: 'segment', out: ctx.out, ...st }, text: segmentTable(st, ctx.loaded.config.segment.locales) + `\n\nwrote ${path.join(path.relative(process.cwd(), ctx.out) || '.', 'segment')}` };
}
