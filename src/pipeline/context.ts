import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { resolveSecret } from '../secret.js';
import { ensureWritableDir, type StageContext } from './stage.js';

/** What every build (the whole flow, one stage, one rank of a stage) is given. */
export interface BuildOptions {
  /** vernacular.yaml to use. */
  config: string;
  /** Output folder of the build. */
  out: string;
  /** Use the public development key when VERNACULAR_SECRET is unset (demos only). */
  insecureDevSecret?: boolean;
  /** Fail the run when more than this many rows are malformed. */
  maxErrors?: number;
}

/** How a build reports: `log` receives human lines (never record text); `quiet` silences them and progress. */
export interface LogOptions {
  quiet?: boolean;
  log?: (line: string) => void;
}

/** Human lines on stderr unless quiet (what the CLI prints; a library caller may pass its own `log`). */
export function stderrLog(quiet = false): (line: string) => void {
  return (line) => {
    if (!quiet) process.stderr.write(line + '\n');
  };
}

/** Stages that never hash or pseudonymise anything: they run without VERNACULAR_SECRET. */
export const STAGES_WITHOUT_SECRET = new Set(['segment', 'features']);

/**
 * Shared set-up of every build: config, secret, output folder, a context for stages.
 * The secret is demanded only by the stages that use it; for the others reading `ctx.secret` is
 * a bug, so it throws instead of handing out a key nobody asked for.
 */
export function buildContext(opts: BuildOptions, stage: string, o: LogOptions = {}): StageContext {
  const loaded = loadConfig(opts.config);
  const quiet = !!o.quiet;
  const log = o.log ?? stderrLog(quiet);
  let secret = '';
  if (!STAGES_WITHOUT_SECRET.has(stage)) {
    const r = resolveSecret(!!opts.insecureDevSecret);
    if (r.dev) log('warning: using the public development secret (--insecure-dev-secret): hashes and pseudonyms in this output are NOT protected.');
    secret = r.secret;
  }
  const out = path.resolve(opts.out);
  ensureWritableDir(out);
  const ctx: StageContext = { stage, rank: 0, world: 1, out, loaded, secret, quiet, maxErrors: opts.maxErrors, log };
  if (STAGES_WITHOUT_SECRET.has(stage))
    Object.defineProperty(ctx, 'secret', {
      enumerable: false,
      get() {
        throw new Error(`internal: stage ${stage} read the secret it is not given`);
      },
    });
  return ctx;
}
