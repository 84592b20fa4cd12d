import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../../io/atomic.js';
import { PARTITIONED } from './local.js';

export interface PlanOptions {
  config: string;
  out: string;
  world: number;
  /** how each task invokes the CLI on the cluster (default: npx vernacular) */
  command?: string;
  /** Slurm: partition, time limit, memory per task; Kubernetes: image, namespace */
  slurm?: { partition?: string; time?: string; mem?: string; cpus?: number };
  k8s?: { image?: string; namespace?: string; memory?: string; cpu?: string };
}

/** The jobs of a build, in order: array jobs (one task per rank) and single-task global steps. */
export function buildSteps(world: number): Array<{ name: string; args: string[]; array: boolean }> {
  const steps: Array<{ name: string; args: string[]; array: boolean }> = [];
  for (const st of PARTITIONED) {
    steps.push({ name: st, args: ['run-stage', st, '--rank', '$RANK', '--world', String(world)], array: true });
    steps.push({ name: `${st}-merge`, args: ['run-stage', st, '--world', '1'], array: false });
  }
  // the shards build: map and reduce steps only (no step holds the whole build), then assemble
  const map = (name: string) => steps.push({ name, args: ['run-stage', name, '--rank', '$RANK', '--world', String(world)], array: true });
  const reduce = (name: string, stage = name, extra: string[] = []) => steps.push({ name, args: ['run-stage', stage, ...extra], array: false });
  map('signatures');
  reduce('signatures-merge', 'signatures', ['--world', '1']);
  map('dedup-pairs');
  reduce('dedup-clusters');
  map('shards-counts');
  reduce('shards-quotas');
  map('shards-sample');
  reduce('shards-plan');
  steps.push({ name: 'shards-write', args: ['run-stage', 'shards-write', '--rank', '$RANK', '--world', String(world)], array: true });
  steps.push({ name: 'shards', args: ['run-stage', 'shards'], array: false });
  return steps;
}

/**
 * Slurm: one array job per partitioned stage (ranks = SLURM_ARRAY_TASK_ID), a one-task merge job
 * after each (`--dependency=afterok`), then the shards build's map and global steps; `submit.sh`
 * chains them.
 * The secret is read from the environment of the submitting shell (sbatch exports it), never
 * written into a script.
 */
export function slurmPlan(dir: string, o: PlanOptions): string[] {
  const cmd = o.command ?? 'npx vernacular';
  const s = o.slurm ?? {};
  const head = (name: string, array?: number) =>
    [
      '#!/bin/bash',
      `#SBATCH --job-name=vernacular-${name}`,
      array ? `#SBATCH --array=0-${array - 1}` : '',
      `#SBATCH --cpus-per-task=${s.cpus ?? 1}`,
      s.mem ? `#SBATCH --mem=${s.mem}` : '',
      s.time ? `#SBATCH --time=${s.time}` : '',
      s.partition ? `#SBATCH --partition=${s.partition}` : '',
      `#SBATCH --output=${path.join(o.out, 'logs', `${name}-%A_%a.log`)}`,
      'set -euo pipefail',
      ': "${VERNACULAR_SECRET:?set VERNACULAR_SECRET in the submitting shell}"',
    ]
      .filter(Boolean)
      .join('\n');
  const files: string[] = [];
  const write = (name: string, body: string) => {
    const f = path.join(dir, name);
    writeFileAtomic(f, body + '\n');
    files.push(f);
  };
  const stageArgs = `-c ${JSON.stringify(o.config)} -o ${JSON.stringify(o.out)}`;
  const steps = buildSteps(o.world);
  for (const st of steps) {
    const args = st.args.map((a) => (a === '$RANK' ? '"$SLURM_ARRAY_TASK_ID"' : a)).join(' ');
    write(`${st.name}.sbatch`, `${head(st.name, st.array ? o.world : undefined)}\n${cmd} --quiet ${args} ${stageArgs}`);
  }
  const chain = ['#!/bin/bash', '# Submit the whole build: each job starts only after the previous one succeeded.', 'set -euo pipefail', `cd "$(dirname "$0")"`, `mkdir -p ${JSON.stringify(path.join(o.out, 'logs'))}`, 'dep=""'];
  for (const { name } of steps) {
    chain.push(`id=$(sbatch --parsable --export=ALL \${dep:+--dependency=afterok:$dep} ${name}.sbatch)`, `echo "${name}: job $id"`, 'dep=$id');
  }
  chain.push('echo "$dep" > last-job-id');
  write('submit.sh', chain.join('\n'));
  return files;
}

/**
 * Kubernetes: one Indexed Job per stage (`completionMode: Indexed`, the rank is
 * JOB_COMPLETION_INDEX), merges as single-completion Jobs; apply them in order, each after the
 * previous completed (`kubectl wait --for=condition=complete`), as `apply.sh` does. The secret
 * comes from a Kubernetes Secret named vernacular (key: secret), the data from a PVC mounted at
 * the same paths.
 */
export function k8sPlan(dir: string, o: PlanOptions): string[] {
  const k = o.k8s ?? {};
  const files: string[] = [];
  const job = (name: string, args: string[], indexed: number | undefined) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `vernacular-${name}`, namespace: k.namespace ?? 'default' },
    spec: {
      ...(indexed ? { completionMode: 'Indexed', completions: indexed, parallelism: indexed } : { completions: 1 }),
      backoffLimit: 3,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'vernacular',
              image: k.image ?? 'node:20-bookworm',
              command: ['sh', '-c', [...(o.command ?? 'npx vernacular').split(' '), ...args].map((a) => (/[\s"$]/.test(a) && !a.includes('$JOB_COMPLETION_INDEX') ? JSON.stringify(a) : a)).join(' ')],
              env: [{ name: 'VERNACULAR_SECRET', valueFrom: { secretKeyRef: { name: 'vernacular', key: 'secret' } } }],
              resources: { requests: { cpu: k.cpu ?? '1', memory: k.memory ?? '2Gi' } },
              volumeMounts: [{ name: 'data', mountPath: path.dirname(path.resolve(o.out)) }],
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'vernacular-data' } }],
        },
      },
    },
  });
  const stageArgs = ['-c', o.config, '-o', o.out];
  const order: string[] = [];
  for (const st of buildSteps(o.world)) {
    const f = path.join(dir, `${String(order.length).padStart(2, '0')}-${st.name}.yaml`);
    const args = ['--quiet', ...st.args.map((a) => (a === '$RANK' ? '$JOB_COMPLETION_INDEX' : a)), ...stageArgs];
    writeFileAtomic(f, YAML.stringify(job(st.name, args, st.array ? o.world : undefined)));
    files.push(f);
    order.push(f);
  }
  const apply = ['#!/bin/bash', '# Apply the stage Jobs in order, each after the previous one completed.', 'set -euo pipefail', 'cd "$(dirname "$0")"'];
  for (const x of order) apply.push(`kubectl apply -f ${path.basename(x)}`, `kubectl wait --for=condition=complete --timeout=24h -f ${path.basename(x)}`);
  const a = path.join(dir, 'apply.sh');
  writeFileAtomic(a, apply.join('\n') + '\n');
  files.push(a);
  return files;
}
