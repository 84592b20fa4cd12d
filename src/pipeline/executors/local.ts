import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../paths.js';
import { InputError } from '../../errors.js';

/** The partitioned stages, in flow order, before the shards build. */
export const PARTITIONED = ['filter', 'segment', 'features'] as const;

/** Default worker count: the machine's cores. */
export const defaultWorkers = () => Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/**
 * The local executor: runs the ranks of one stage as `workers` child processes
 * (`vernacular run-stage <stage> --rank r --world W`), each on the partitions i ≡ r (mod W).
 * Outputs are per partition and named by partition, so they are byte-identical whatever W is;
 * the caller then merges with `--world 1` (finished partitions are skipped by their markers).
 * A rank that fails fails the stage, naming it; finished partitions stay done for a relaunch.
 */
export async function runRanks(stage: string, o: { config: string; out: string; workers: number; insecureDevSecret?: boolean; quiet?: boolean; args?: string[] }): Promise<void> {
  const cli = path.join(packageRoot(), 'bin', 'vernacular.js');
  const runs = Array.from({ length: o.workers }, (_, rank) =>
    new Promise<void>((resolve, reject) => {
      const args = [cli, '--quiet', 'run-stage', stage, '--rank', String(rank), '--world', String(o.workers), '-c', o.config, '-o', o.out];
      if (o.insecureDevSecret) args.push('--insecure-dev-secret');
      if (o.args) args.push(...o.args);
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
      let err = '';
      child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new InputError(`${stage}: rank ${rank} of ${o.workers} failed (${signal ?? `exit ${code}`}); finished partitions are kept, re-run to resume.\n${err.trim()}`)),
      );
    }),
  );
  const results = await Promise.allSettled(runs);
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
}
