import path from 'node:path';
import { runShards } from '../../shards/stage.js';
import { planTable } from '../../shards/manifest.js';
import { verifyShards } from '../../shards/verify.js';
import { revoke as runRevoke } from '../../shards/revoke.js';
import { resolveSecret } from '../../secret.js';
import { ExitCode } from '../../errors.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';
import { buildContext, type BuildOptions } from '../../pipeline/context.js';

/** `vernacular shards build`: dedup, scrub, balance, split and write the shards of a build. */
export async function build(_args: string[], opts: BuildOptions, g: GlobalOptions): Promise<CommandResult> {
  const ctx = buildContext(opts, 'shards', g);
  const { manifest, dir } = await runShards(ctx);
  return { summary: { stage: 'shards', dir, counts: manifest.counts, shards: manifest.shards.length }, text: planTable(manifest) + `\n\nwrote ${path.relative(process.cwd(), dir) || dir}` };
}

/** `vernacular shards verify <dir>`: re-hash every shard against the manifest; exit 1 on any difference. */
export async function verify(args: string[]): Promise<CommandResult> {
  const [dir] = args;
  const r = verifyShards(path.resolve(dir));
  return {
    summary: r,
    text: r.ok ? `ok: ${r.checked} shard files match ${path.join(dir, 'manifest.json')}` : `FAILED: ${r.problems.length} problem(s)\n` + r.problems.map((p) => `  - ${p}`).join('\n'),
    exitCode: r.ok ? 0 : ExitCode.gateFailed,
  };
}

/** `vernacular shards revoke`: a new version of a build without anything of newly objecting authors. */
export async function revoke(_args: string[], opts: { build: string; objections: string; out: string; insecureDevSecret?: boolean; caseInsensitive?: boolean }, g: GlobalOptions): Promise<CommandResult> {
  const { secret, dev } = resolveSecret(!!opts.insecureDevSecret);
  if (dev) makeLog(g)('warning: using the public development secret (--insecure-dev-secret)');
  const { report } = await runRevoke({ build: opts.build, objections: opts.objections, out: opts.out, secret, caseInsensitive: opts.caseInsensitive });
  for (const w of report.warnings) makeLog(g)(`warning: ${w}`);
  const rm = Object.entries(report.removed_docs).map(([l, n]) => `${l} ${n}`).join(', ') || 'none';
  const docs = report.rewritten.reduce((t, f) => t + f.removed, 0);
  return {
    summary: report,
    text:
      `revoked ${report.authors_found} of ${report.authors_in_registry} authors in the registry; removed shard docs: ${rm}\n` +
      `rewrote ${report.rewritten.length} file(s) (${docs} docs, items or samples removed; ${report.shards_rewritten.length} shard files), copied ${report.copied} unchanged\n` +
      `left out as stale (derived from the parent; rebuild them): ${report.stale.length} file(s)` +
      (report.withheld.length ? `\nleft out as unknown (not carried over; check and copy them yourself): ${report.withheld.join(', ')}` : '') +
      `\nwrote ${opts.out} (revoke_report.json; each shard manifest names its parent and records the revocation)`,
  };
}
