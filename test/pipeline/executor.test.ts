import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT, cli, killWhen, markers, snapshot, tmpDir } from '../helpers.js';
import { buildSteps } from '../../src/pipeline/executors/plan.js';


describe('local executor and cluster plans', () => {
  let gen: string;
  let cfg: string;
  let clean: string;
  beforeAll(() => {
    gen = tmpDir('vern-gen-');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/generate-export.ts'), '--out', gen, '--mb', '1', '--files', '8', '--seed', '3'], { stdio: 'pipe' });
    cfg = path.join(gen, 'vernacular.yaml');
    const c = YAML.parse(fs.readFileSync(cfg, 'utf8'));
    c.segment = { locales: ['en-IE', 'de-DE', 'de-AT', 'fr-FR', 'fr-BE', 'nl-NL', 'nl-BE', 'es-ES', 'it-IT', 'pt-PT', 'sv-SE', 'el-GR'] };
    c.evaluate = { enabled: false };
    fs.writeFileSync(cfg, YAML.stringify(c));
    clean = path.join(gen, 'clean');
    const r = cli(['run', '-c', cfg, '-o', clean, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('a worker killed midway: the relaunch with 2 workers re-runs only what did not finish, and its output is byte-identical to 1 worker\'s', async () => {
    const out = path.join(gen, 'killed');
    const killed = await killWhen(['run-stage', 'filter', '--rank', '0', '--world', '2', '-c', cfg, '-o', out], () => fs.existsSync(path.join(out, 'filter/_done/part-00000.json')));
    expect(killed, 'the worker finished before it could be killed').toBe(true);
    const doneBefore = fs.readdirSync(path.join(out, 'filter/_done'));
    expect(doneBefore.length).toBeGreaterThanOrEqual(1);
    expect(doneBefore.length).toBeLessThan(4);
    const marker = fs.statSync(path.join(out, 'filter/_done/part-00000.json')).mtimeMs;
    // the relaunch as 2 worker processes (ranks, then the merge passes): a partition's marker holds whatever the worker count
    const r = cli(['run', '-c', cfg, '-o', out, '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    // the finished partition was not redone
    expect(fs.statSync(path.join(out, 'filter/_done/part-00000.json')).mtimeMs).toBe(marker);
    // and 2 workers after a kill give what 1 worker gave in one go
    const a = snapshot(path.join(clean, 'shards'));
    const b = snapshot(path.join(out, 'shards'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k)!.equals(v), k).toBe(true);
    expect(fs.readFileSync(path.join(out, 'filter/stats.json'), 'utf8')).toBe(fs.readFileSync(path.join(clean, 'filter/stats.json'), 'utf8'));
  });

  it('a shards-write worker killed midway: the relaunch keeps its finished parts, and the output is identical', async () => {
    const out = path.join(gen, 'killed-write');
    for (const st of ['filter', 'segment', 'features', 'signatures', 'shards-plan']) expect(cli(['run-stage', st, '-c', cfg, '-o', out]).status).toBe(0);
    const parts = path.join(out, 'shards-work/shards/parts/_done');
    const killed = await killWhen(['run-stage', 'shards-write', '--rank', '0', '--world', '2', '-c', cfg, '-o', out], () => markers(parts).length >= 1);
    expect(killed, 'the worker finished before it could be killed').toBe(true);
    expect(fs.existsSync(path.join(out, 'shards', 'manifest.json')), 'a killed write published a manifest').toBe(false);
    const first = markers(parts)[0];
    const mtime = fs.statSync(first).mtimeMs;
    // relaunch the write step with both ranks: the finished part is not written again
    for (const rank of ['0', '1']) expect(cli(['run-stage', 'shards-write', '--rank', rank, '--world', '2', '-c', cfg, '-o', out]).status).toBe(0);
    expect(fs.statSync(first).mtimeMs).toBe(mtime);
    const r = cli(['run', '-c', cfg, '-o', out, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const a = snapshot(path.join(clean, 'shards'));
    const b = snapshot(path.join(out, 'shards'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k)?.equals(v), k).toBe(true);
    // nothing of the killed write is left behind
    expect(fs.readdirSync(out).filter((e) => e.startsWith('.shards.') || e === 'shards-work')).toEqual([]);
  });

  it('the cluster chain (every plan step as its own ranks and reduces, 64 KiB sort budget, 2 key ranges) gives the shards of `run`', () => {
    const out = path.join(gen, 'chain');
    fs.cpSync(clean, out, { recursive: true, filter: (src) => !/\/(shards|shards-work|dedup|shards-proportional)$/.test(src) });
    const env = { VERNACULAR_PLAN_MEMORY_MB: '0.0625', VERNACULAR_PLAN_RANGES: '2' };
    const steps = buildSteps(2);
    for (const st of steps.slice(steps.findIndex((x) => x.name === 'signatures'))) {
      for (const rank of st.array ? ['1', '0'] : ['']) {
        const r = cli([...st.args.map((a) => (a === '$RANK' ? rank : a)), '-c', cfg, '-o', out], { env });
        expect(r.status, `${st.name} ${rank}: ${r.stderr}`).toBe(0);
      }
    }
    // the 64 KiB budget made the sorts spill: the pair tasks' markers say how many runs they merged
    const runs = fs.readdirSync(path.join(out, 'dedup/pairs/_done')).map((f) => JSON.parse(fs.readFileSync(path.join(out, 'dedup/pairs/_done', f), 'utf8')).stats.runs as number);
    expect(runs.length).toBe(18);
    expect(Math.max(...runs)).toBeGreaterThan(1);
    const a = snapshot(path.join(clean, 'shards'));
    const b = snapshot(path.join(out, 'shards'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k)!.equals(v), k).toBe(true);
  });

  it('plan writes Slurm array jobs chained with afterok, and Kubernetes Indexed Jobs', () => {
    const d = tmpDir('vern-plan-');
    expect(cli(['plan', '--executor', 'slurm', '-c', cfg, '-b', path.join(d, 'out'), '--world', '8', '-o', path.join(d, 'slurm')]).status).toBe(0);
    const sb = fs.readFileSync(path.join(d, 'slurm', 'filter.sbatch'), 'utf8');
    expect(sb).toMatch(/#SBATCH --array=0-7/);
    expect(sb).toMatch(/run-stage filter --rank "\$SLURM_ARRAY_TASK_ID" --world 8/);
    expect(sb).not.toMatch(/VERNACULAR_SECRET=/);
    expect(fs.readFileSync(path.join(d, 'slurm', 'submit.sh'), 'utf8')).toMatch(/--dependency=afterok:\$dep/);
    // the shards build: map steps as arrays, global steps as single tasks, in flow order
    expect(fs.readFileSync(path.join(d, 'slurm', 'signatures.sbatch'), 'utf8')).toMatch(/#SBATCH --array=0-7[\s\S]*run-stage signatures --rank "\$SLURM_ARRAY_TASK_ID" --world 8/);
    expect(fs.readFileSync(path.join(d, 'slurm', 'shards-plan.sbatch'), 'utf8')).not.toMatch(/--array/);
    expect(fs.readFileSync(path.join(d, 'slurm', 'shards-write.sbatch'), 'utf8')).toMatch(/run-stage shards-write --rank "\$SLURM_ARRAY_TASK_ID" --world 8/);
    const order = [...fs.readFileSync(path.join(d, 'slurm', 'submit.sh'), 'utf8').matchAll(/ (\S+)\.sbatch\)/g)].map((m) => m[1]);
    expect(order).toEqual(['filter', 'filter-merge', 'segment', 'segment-merge', 'features', 'features-merge', 'signatures', 'signatures-merge', 'dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample', 'shards-plan', 'shards-write', 'shards']);
    // the plan's map steps are arrays, its reduces one task each
    for (const st of ['dedup-pairs', 'shards-counts', 'shards-sample']) expect(fs.readFileSync(path.join(d, 'slurm', `${st}.sbatch`), 'utf8')).toMatch(new RegExp(`#SBATCH --array=0-7[\\s\\S]*run-stage ${st} --rank "\\$SLURM_ARRAY_TASK_ID" --world 8`));
    for (const st of ['signatures-merge', 'dedup-clusters', 'shards-quotas']) expect(fs.readFileSync(path.join(d, 'slurm', `${st}.sbatch`), 'utf8')).not.toMatch(/--array|--rank/);
    expect(cli(['plan', '--executor', 'k8s', '-c', cfg, '-b', path.join(d, 'out'), '--world', '8', '-o', path.join(d, 'k8s')]).status).toBe(0);
    const job = YAML.parse(fs.readFileSync(path.join(d, 'k8s', '00-filter.yaml'), 'utf8'));
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 8, parallelism: 8 });
    expect(job.spec.template.spec.containers[0].command.join(' ')).toMatch(/--rank \$JOB_COMPLETION_INDEX --world 8/);
    expect(job.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name).toBe('vernacular');
  });

  it('run-stage takes its rank from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX', () => {
    const out = path.join(tmpDir('vern-rank-'), 'o');
    const r = cli(['--json', 'run-stage', 'filter', '--world', '4', '-c', cfg, '-o', out], { env: { SLURM_ARRAY_TASK_ID: '3' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ rank: 3, world: 4 });
    const k = cli(['--json', 'run-stage', 'filter', '--world', '4', '-c', cfg, '-o', out], { env: { JOB_COMPLETION_INDEX: '2' } });
    expect(JSON.parse(k.stdout)).toMatchObject({ rank: 2, world: 4 });
  });
});
