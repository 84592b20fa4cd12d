import path from 'node:path';
import { runSegment, segmentTable } from '../../segment/stage.js';
import type { CommandResult, GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from './filter.js';

/** `vernacular segment`: language ID + locale of the filtered docs of a build. */
export async function segment(opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, g, 'segment');
  const st = await runSegment(ctx);
  return { summary: { stage: 'segment', out: ctx.out, ...st }, text: segmentTable(st, ctx.loaded.config.segment.locales) + `\n\nwrote ${path.join(path.relative(process.cwd(), ctx.out) || '.', 'segment')}` };
}
