import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/pipeline/progress.js';
import { CLI, sampleBuild, tmpDir } from '../helpers.js';

const sink = () => {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text: string };
  s.text = '';
  (s as unknown as PassThrough).on('data', (b) => (s.text += b));
  return s;
};

describe('progress: rate and ETA on a terminal, silent elsewhere', () => {
  it('counts with a unit: done/total, %, rate, ETA, detail; the last update is always drawn', async () => {
    const s = sink();
    let hits = 0;
    const p = new Progress('eval x', 1000, { stream: s, force: true, unit: 'requests', detail: () => `cache hits ${hits}` });
    for (let i = 1; i <= 10; i++) {
      hits = i * 10;
      p.set(i * 100);
      await new Promise((r) => setTimeout(r, 25));
    }
    const lines = s.text.split('\r').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^eval x: 100\/1,000 requests \(10%\)  [\d.,]+\/s  ETA \d+s  cache hits 10/);
    expect(lines.at(-1)).toMatch(/1,000\/1,000 requests \(100%\).*ETA 0s  cache hits 100/);
    p.end();
  });

  it('the ETA is the remaining work at the rate so far', () => {
    const p = new Progress('x', 1000, { stream: sink(), force: true, unit: 'items' });
    p.done = 250;
    const started = (p as unknown as { started: number }).started;
    expect(p.line(started + 10_000)).toMatch(/250\/1,000 items \(25%\)  25\/s  ETA 30s/);
    expect(p.line(started + 100_000)).toMatch(/2\.5\/s  ETA 5m0s/);
  });

  it('before anything is done the ETA is unknown, not 0', () => {
    const p = new Progress('x', 10, { stream: sink(), force: true, unit: 'partitions' });
    expect(p.line()).toMatch(/0\/10 partitions \(0%\)  0\.0\/s  ETA \?$/);
  });

  it('without a total: count, rate and time so far, no made-up ETA', () => {
    const p = new Progress('shards-write', 0, { stream: sink(), force: true, unit: 'partitions' });
    p.done = 12;
    const started = (p as unknown as { started: number }).started;
    expect(p.line(started + 4000)).toBe('shards-write: 12 partitions  3.0/s  4s so far');
  });

  it('writes nothing to a pipe, under CI, or when quiet', () => {
    const s = sink(); // not a TTY
    new Progress('a', 10, { stream: s, unit: 'x' }).set(5);
    new Progress('b', 10, { stream: Object.assign(sink(), { isTTY: true }), unit: 'x', quiet: true }).set(5);
    expect(s.text).toBe('');
  });

  it('eval run on a terminal shows requests done/total, rate, ETA and cache hits (all hits on the second run)', () => {
    const build = sampleBuild();
    const d = tmpDir('vern-progress-');
    const suite = YAML.parse(fs.readFileSync(path.join(build, 'eval/suite.yaml'), 'utf8'));
    for (const t of suite.tasks) {
      t.set = path.join(build, 'eval', t.set);
      t.limit = 15;
    }
    fs.writeFileSync(path.join(d, 'suite.yaml'), YAML.stringify(suite));
    const shown: string[] = [];
    for (let i = 0; i < 2; i++) {
      // `script` gives the CLI a pseudo-terminal, as a user's shell would
      const cmd = `${process.execPath} ${CLI} eval run -m ngram:${path.join(build, 'baseline/balanced.json.gz')} -s ${path.join(d, 'suite.yaml')} -o ${path.join(d, 'runs')}`;
      const env: NodeJS.ProcessEnv = { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2' };
      delete env.CI;
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stdout).toBe(0);
      shown.push(r.stdout.split('\r').filter((l) => /requests/.test(l)).at(-1) ?? '');
    }
    const total = Number(/\/([\d,]+) requests/.exec(shown[0])![1].replace(/,/g, ''));
    expect(total).toBeGreaterThan(15);
    expect(shown[0]).toMatch(/ETA \d+s  cache hits 0/);
    expect(shown[1]).toMatch(new RegExp(`${total.toLocaleString('en')}/${total.toLocaleString('en')} requests \\(100%\\).*cache hits ${total.toLocaleString('en')}`));
  });
});
