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

/** Stages that never hash or pseudonymise anything: they run without VERNACULAR_SECRET. */
export const STAGES_WITHOUT_SECRET = new Set(['segment', 'features']);

/**
 * Shared set-up of every build command: config, secret, output folder, a context for stages.
 * The secret is demanded only by the stages that use it; for the others reading `ctx.secret` is
 * a bug, so it throws instead of handing out a key nobody asked for.
 */
export function buildContext(opts: BuildOptions, g: GlobalOptions, stage: string) {
  const loaded = loadConfig(opts.config);
  const log = makeLog(g);
  let secret = '';
  if (!STAGES_WITHOUT_SECRET.has(stage)) {
    const r = resolveSecret(!!opts.insecureDevSecret);
    if (r.dev) log('warning: using the public development secret (--insecure-dev-secret): hashes and pseudonyms in this output are NOT protected.');
    secret = r.secret;
  }
  const out = path.resolve(opts.out);
  ensureWritableDir(out);
  const ctx = { stage, rank: 0, world: 1, out, loaded, secret, quiet: g.quiet, maxErrors: opts.maxErrors, log };
  if (STAGES_WITHOUT_SECRET.has(stage))
    Object.defineProperty(ctx, 'secret', {
      enumerable: false,
      get() {
        throw new Error(`internal: stage ${stage} read the secret it is not given`);
      },
    });
  return ctx;
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
