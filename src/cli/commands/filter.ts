import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { resolveSecret } from '../../eligibility/keyed-hash.js';
import { assertUseful, runFilter } from '../../eligibility/filter-stage.js';
import { ensureWritableDir } from '../../pipeline/stage.js';
import { funnelTable } from '../../pipeline/stats.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';

export interface BuildOptions {
  config: string;
  out: string;
  insecureDevSecret?: boolean;
  maxErrors?: number;
}

/** Shared set-up of every build command: config, secret, output folder, a context for stages. */
export function buildContext(opts: BuildOptions, g: GlobalOptions, stage: string) {
  const loaded = loadConfig(opts.config);
  const { secret, dev } = resolveSecret(!!opts.insecureDevSecret);
  const log = makeLog(g);
  if (dev) log('warning: using the public development secret (--insecure-dev-secret): hashes and pseudonyms in this output are NOT protected.');
  const out = path.resolve(opts.out);
  ensureWritableDir(out);
  return { stage, rank: 0, world: 1, out, loaded, secret, quiet: g.quiet, maxErrors: opts.maxErrors, log };
}

/** `vernacular filter`: eligible docs, ledgers and the funnel. */
export async function filter(opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, g, 'filter');
  const r = assertUseful(await runFilter(ctx));
  return {
    summary: { stage: 'filter', out: ctx.out, funnel: r.funnel, skippedPartitions: r.skipped },
    text: funnelTable(r.funnel) + `\n\nwrote ${path.relative(process.cwd(), r.dir) || r.dir}`,
  };
}
