import path from 'node:path';
import { k8sPlan, slurmPlan } from '../../pipeline/executors/plan.js';
import { UsageError } from '../../errors.js';
import type { CommandResult } from '../io.js';

/** `vernacular plan --executor slurm|k8s`. */
export async function plan(_args: string[], o: { executor: string; config: string; build: string; world: number; out?: string; command: string }): Promise<CommandResult> {
  if (o.executor !== 'slurm' && o.executor !== 'k8s') throw new UsageError(`--executor must be slurm or k8s (got ${o.executor})`);
  const out = path.resolve(o.out ?? path.join(o.build, `plan-${o.executor}`));
  const opts = { config: path.resolve(o.config), out: path.resolve(o.build), world: o.world, command: o.command };
  const files = o.executor === 'slurm' ? slurmPlan(out, opts) : k8sPlan(out, opts);
  const how = o.executor === 'slurm' ? `VERNACULAR_SECRET=... bash ${path.join(out, 'submit.sh')}` : `kubectl create secret generic vernacular --from-literal=secret=...; bash ${path.join(out, 'apply.sh')}`;
  return { summary: { executor: o.executor, files }, text: `wrote ${files.length} files to ${out}\nrun: ${how}` };
}
