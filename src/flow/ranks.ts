import fs from 'node:fs';
import path from 'node:path';
import { expandInputs } from '../io/inputs.js';
import { Progress } from '../pipeline/progress.js';
import { runRanks } from '../pipeline/executors/local.js';
import type { StageContext } from '../pipeline/stage.js';

/** Runs one partitioned stage's ranks as child processes; the caller merges with its own `--world 1` pass. */
export type RunRanks = (stage: string, args?: string[]) => Promise<void>;

/**
 * The local executor of the whole flow: a partitioned stage runs as `workers` ranks (child
 * processes), then the caller merges in its own process. With one worker it does nothing (the
 * merge pass runs every partition). On a terminal it shows the ranks' partition markers, counted
 * as they appear, against the partitions expected.
 */
export function localRanks(ctx: StageContext, o: { workers: number; insecureDevSecret?: boolean }): RunRanks {
  const { workers } = o;
  return async (stage, args = []) => {
    if (workers <= 1) return;
    const dir = stage === 'shards-write' ? path.join(ctx.out, 'shards-work', args[args.indexOf('--shards-dir') + 1] || 'shards', 'parts', '_done') : path.join(ctx.out, stage, '_done');
    const count = (d: string, re = /^part-.*\.json$/) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => re.test(f)).length : 0);
    const expected: { [s: string]: () => number } = {
      filter: () => expandInputs(ctx.loaded.config, ctx.loaded.baseDir).length,
      segment: () => count(path.join(ctx.out, 'filter', '_done')),
      features: () => (fs.existsSync(path.join(ctx.out, 'segment', 'docs')) ? fs.readdirSync(path.join(ctx.out, 'segment', 'docs')).reduce((n, l) => n + count(path.join(ctx.out, 'segment', 'docs', l), /^part-/), 0) : 0),
      signatures: () => count(path.join(ctx.out, 'features', '_done')),
    };
    const progress = new Progress(`  ${stage}`, expected[stage]?.() ?? 0, { quiet: ctx.quiet, unit: 'partitions' });
    const timer = setInterval(() => progress.set(count(dir)), 250);
    try {
      await runRanks(stage, { config: ctx.loaded.file, out: ctx.out, workers, insecureDevSecret: o.insecureDevSecret, args });
    } finally {
      clearInterval(timer);
      progress.end();
    }
  };
}
