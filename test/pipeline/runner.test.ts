import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { partitionsFrom, readCompletion, runPartitions, type Partition, type Resolution, type RunSpec } from '../../src/pipeline/runner.js';
import { prng, tmpDir, walk } from '../helpers.js';

/** A step whose partition `key` writes the files `plan[key]` (name → content). */
type Plan = { [key: string]: { [rel: string]: string } };

function spec(dir: string, plan: Plan, o: Partial<RunSpec<number>> = {}, ran: string[] = []): RunSpec<number> {
  const partitions: Partition[] = Object.keys(plan)
    .sort()
    .map((key) => ({ key, input: '', upstream: JSON.stringify(plan[key]), weight: 1 }));
  return {
    stage: 'toy',
    dir,
    version: 1,
    common: {},
    partitions,
    rank: 0,
    world: 1,
    quiet: true,
    keep: ['summary.json'],
    run: async (p, out) => {
      ran.push(p.key);
      for (const [rel, text] of Object.entries(plan[p.key])) fs.writeFileSync(mk(out.file(rel)), text);
      return Object.keys(plan[p.key]).length;
    },
    ...o,
  };
}

const mk = (f: string) => (fs.mkdirSync(path.dirname(f), { recursive: true }), f);

/** Every file of the step's folder but its markers, index and summaries, as rel → content. */
function files(dir: string): { [rel: string]: string } {
  const out: { [rel: string]: string } = {};
  for (const f of walk(dir)) {
    const rel = path.relative(dir, f).split(path.sep).join('/');
    if (rel.startsWith('_done/') || rel === '_complete.json' || rel === 'summary.json') continue;
    out[rel] = fs.readFileSync(f, 'utf8');
  }
  return out;
}

const expected = (plan: Plan) => Object.assign({}, ...Object.values(plan)) as { [rel: string]: string };

describe('partition runner', () => {
  it('resolve (world 1): a named partition runs again from its input with the value; the same digest keeps it, another or none runs it again; the index names the resolution', async () => {
    const d = tmpDir();
    const plan: Plan = { 'part-00000': { 'docs/part-00000.jsonl': 'a' }, 'part-00001': { 'docs/part-00001.jsonl': 'b' } };
    let want = new Map<string, Resolution<string>>();
    let ran: string[] = [];
    let fail = false;
    const s = (world = 1, rank = 0): RunSpec<number, string> => ({
      ...(spec(d, plan) as unknown as RunSpec<number, string>),
      rank,
      world,
      run: async (p, out, _progress, value) => {
        ran.push(value === undefined ? p.key : `${p.key}:${value}`);
        if (fail && value !== undefined) throw new Error('killed');
        // built from the input (the plan) and the value, never from what the partition wrote before
        fs.writeFileSync(mk(out.file(`docs/${p.key}.jsonl`)), plan[p.key][`docs/${p.key}.jsonl`] + (value ?? ''));
        return 1;
      },
      resolve: async (markers) => {
        expect(markers.map((m) => m.key)).toEqual(['part-00000', 'part-00001']);
        return want;
      },
    });
    const marker = () => JSON.parse(fs.readFileSync(path.join(d, '_done/part-00000.json'), 'utf8')) as { fingerprint: string; resolved?: string };
    const entry = () => readCompletion(d, 'toy', '').partitions[0].fingerprint;
    const run = async (world = 1, rank = 0) => ((ran = []), await runPartitions(s(world, rank)), ran);

    expect(await run()).toEqual(['part-00000', 'part-00001']);
    const base = marker().fingerprint;
    expect(entry()).toBe(base);
    want = new Map([['part-00000', { digest: 'a'.repeat(64), value: 'x' }]]);
    expect(await run()).toEqual(['part-00000:x']);
    expect(files(d)).toEqual({ 'docs/part-00000.jsonl': 'ax', 'docs/part-00001.jsonl': 'b' });
    expect(marker()).toMatchObject({ fingerprint: base, resolved: 'a'.repeat(64) });
    const resolvedEntry = entry();
    expect(resolvedEntry).not.toBe(base);
    expect(await run()).toEqual([]);
    // a worker keeps a resolved partition (what it is built from did not change) and removes the index
    expect(await run(2, 0)).toEqual([]);
    expect(() => readCompletion(d, 'toy', '')).toThrow(/no completed output/);
    expect(await run()).toEqual([]);
    expect(entry()).toBe(resolvedEntry);
    want = new Map([['part-00000', { digest: 'b'.repeat(64), value: 'y' }]]);
    expect(await run()).toEqual(['part-00000:y']);
    expect(files(d)['docs/part-00000.jsonl']).toBe('ay');
    want = new Map();
    expect(await run()).toEqual(['part-00000']);
    expect(files(d)['docs/part-00000.jsonl']).toBe('a');
    expect(marker().resolved).toBeUndefined();
    expect(entry()).toBe(base);
    // a resolution that dies leaves neither the partition's marker nor an index; the next pass builds it
    want = new Map([['part-00000', { digest: 'c'.repeat(64), value: 'z' }]]);
    fail = true;
    await expect(runPartitions(s())).rejects.toThrow('killed');
    expect(fs.existsSync(path.join(d, '_done/part-00000.json'))).toBe(false);
    expect(() => readCompletion(d, 'toy', '')).toThrow(/no completed output/);
    fail = false;
    expect(await run()).toEqual(['part-00000', 'part-00000:z']);
    expect(files(d)).toEqual({ 'docs/part-00000.jsonl': 'az', 'docs/part-00001.jsonl': 'b' });
    // a damaged resolution digest makes the marker count as absent
    fs.writeFileSync(path.join(d, '_done/part-00000.json'), JSON.stringify({ ...marker(), resolved: 'nope' }));
    expect(await run()).toEqual(['part-00000', 'part-00000:z']);
    want = new Map([['part-00009', { digest: 'c'.repeat(64), value: 'z' }]]);
    await expect(runPartitions(s())).rejects.toThrow(/not a partition/);
  });

  it('a changed upstream re-runs the partition and deletes the files it no longer writes', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { 'part-00000': { 'docs/de-AT/part-00000.jsonl': 'a', 'docs/de-DE/part-00000.jsonl': 'b' } }));
    // the objector was the only de-AT author of this partition: de-AT is not written again
    const ran: string[] = [];
    await runPartitions(spec(d, { 'part-00000': { 'docs/de-DE/part-00000.jsonl': 'b2' } }, {}, ran));
    expect(ran).toEqual(['part-00000']);
    expect(files(d)).toEqual({ 'docs/de-DE/part-00000.jsonl': 'b2' });
    expect(readCompletion(d, 'toy', '').partitions.flatMap((p) => p.outputs.map((o) => o.path))).toEqual(['docs/de-DE/part-00000.jsonl']);
  });

  it('an unchanged partition is skipped; changed common, version or code-relevant inputs re-run it', async () => {
    const d = tmpDir();
    const plan = { a: { 'a.txt': '1' }, b: { 'b.txt': '2' } };
    await runPartitions(spec(d, plan));
    const ran: string[] = [];
    await runPartitions(spec(d, plan, {}, ran));
    expect(ran).toEqual([]);
    await runPartitions(spec(d, plan, { common: { registry: ['new-hash'] } }, ran));
    expect(ran).toEqual(['a', 'b']);
    ran.length = 0;
    await runPartitions(spec(d, plan, { common: { registry: ['new-hash'] }, version: 2 }, ran));
    expect(ran).toEqual(['a', 'b']);
  });

  it('a partition the upstream no longer produces is deleted by the world-1 pass, never by another rank', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { a: { 'a.txt': '1' }, b: { 'b.txt': '2' }, c: { 'c.txt': '3' } }));
    await runPartitions(spec(d, { a: { 'a.txt': '1' }, c: { 'c.txt': '3' } }, { rank: 1, world: 2 }));
    expect(fs.existsSync(path.join(d, 'b.txt'))).toBe(true);
    expect(() => readCompletion(d, 'toy', 'run toy first')).toThrow(/run toy first/);
    await runPartitions(spec(d, { a: { 'a.txt': '1' }, c: { 'c.txt': '3' } }));
    expect(files(d)).toEqual({ 'a.txt': '1', 'c.txt': '3' });
    expect(fs.existsSync(path.join(d, '_done', 'b.json'))).toBe(false);
  });

  it('temp files and files of interrupted runs go in the world-1 pass; summaries stay', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { a: { 'docs/a.txt': '1' } }));
    fs.writeFileSync(path.join(d, 'docs', '.a.txt.tmp-99999'), 'half');
    fs.writeFileSync(path.join(d, 'docs', 'orphan.txt'), 'x');
    fs.writeFileSync(path.join(d, '_done', '.a.json.tmp-99999'), '{');
    fs.writeFileSync(path.join(d, 'summary.json'), '{}');
    await runPartitions(spec(d, { a: { 'docs/a.txt': '1' } }));
    expect(files(d)).toEqual({ 'docs/a.txt': '1' });
    expect(fs.readdirSync(path.join(d, '_done'))).toEqual(['a.json']);
    expect(fs.existsSync(path.join(d, 'summary.json'))).toBe(true);
  });

  it('a damaged, foreign or escaping marker counts as absent', async () => {
    const d = tmpDir();
    const plan = { a: { 'a.txt': '1' } };
    const outside = path.join(tmpDir(), 'victim.txt');
    fs.writeFileSync(outside, 'keep me');
    const bad = [
      '{',
      'null',
      JSON.stringify({ v: 2, stage: 'other', key: 'a', fingerprint: 'f'.repeat(64), outputs: [], stats: 1 }),
      JSON.stringify({ v: 2, stage: 'toy', key: 'b', fingerprint: 'f'.repeat(64), outputs: [], stats: 1 }),
      JSON.stringify({ v: 2, stage: 'toy', key: 'a', fingerprint: 'f'.repeat(64), outputs: [{ path: '../../' + path.basename(outside), bytes: 1 }], stats: 1 }),
      JSON.stringify({ v: 2, stage: 'toy', key: 'a', fingerprint: 'f'.repeat(64), outputs: [{ path: outside, bytes: 1 }], stats: 1 }),
    ];
    for (const m of bad) {
      fs.rmSync(d, { recursive: true, force: true });
      fs.mkdirSync(path.join(d, '_done'), { recursive: true });
      fs.writeFileSync(path.join(d, '_done', 'a.json'), m);
      const ran: string[] = [];
      await runPartitions(spec(d, plan, {}, ran));
      expect(ran, m).toEqual(['a']);
      expect(files(d)).toEqual({ 'a.txt': '1' });
    }
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
  });

  it('a partition whose listed output is gone runs again; a listed file missing makes the index refuse', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { a: { 'a.txt': '1' } }));
    fs.rmSync(path.join(d, 'a.txt'));
    expect(() => readCompletion(d, 'toy', 'x')).toThrow(/missing/);
    const ran: string[] = [];
    await runPartitions(spec(d, { a: { 'a.txt': '1' } }, {}, ran));
    expect(ran).toEqual(['a']);
  });

  it('downstream partitions come from the index, not from a directory listing', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { 'part-00000': { 'docs/x/part-00000.jsonl.gz': '1', 'errors/part-00000.jsonl': 'e' } }));
    fs.mkdirSync(path.join(d, 'docs', 'y'), { recursive: true });
    fs.writeFileSync(path.join(d, 'docs', 'y', 'part-00009.jsonl.gz'), 'stale');
    const ps = partitionsFrom(readCompletion(d, 'toy', ''), d, 'docs/');
    expect(ps.map((p) => p.key)).toEqual(['x/part-00000']);
  });

  it('a failing partition leaves no marker, and its old files are gone', async () => {
    const d = tmpDir();
    await runPartitions(spec(d, { a: { 'a.txt': '1' } }));
    await expect(runPartitions(spec(d, { a: { 'a2.txt': '2' } }, { run: async () => Promise.reject(new Error('boom')) }))).rejects.toThrow('boom');
    expect(fs.existsSync(path.join(d, '_done', 'a.json'))).toBe(false);
    expect(fs.existsSync(path.join(d, 'a.txt'))).toBe(false);
  });

  it('over random sequences of rebuilds, a world-1 pass leaves exactly what the current partitions write', async () => {
    const seed = Number(process.env.RUNNER_SEED ?? Date.now() % 1e9);
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    for (let round = 0; round < 40; round++) {
      const d = tmpDir();
      let last: Plan = {};
      for (let step = 0; step < 6; step++) {
        const plan: Plan = {};
        for (const key of ['p0', 'p1', 'p2', 'p3']) {
          if (rnd() < 0.25) continue;
          plan[key] = {};
          for (const loc of ['de-AT', 'de-DE', 'other=ca-ES']) if (rnd() < 0.6) plan[key][`docs/${loc}/${key}.jsonl`] = pick(['a', 'b', 'c']);
        }
        const world = pick([1, 1, 2, 3]);
        for (let rank = 0; rank < world; rank++) await runPartitions(spec(d, plan, { rank, world }));
        if (rnd() < 0.3) fs.writeFileSync(mk(path.join(d, 'docs', 'de-AT', `.x.tmp-${step}`)), 'tmp');
        // the merge pass after the ranks, as every executor runs it
        await runPartitions(spec(d, plan));
        expect(files(d), `seed ${seed} round ${round} step ${step}`).toEqual(expected(plan));
        last = plan;
      }
      expect(Object.keys(files(d)).length).toBe(Object.keys(expected(last)).length);
    }
  });
});
