import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Progress, byteRate } from '../../src/pipeline/progress.js';
import { readDocs } from '../../src/io/docs.js';
import { CLI, prng, record, sampleBuild, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

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

  it('bytes: the rate reads at any size (compressed stage outputs are small), percent and ETA', () => {
    expect([byteRate(2_500_000), byteRate(739_000), byteRate(7_700), byteRate(281)]).toEqual(['2.5 MB/s', '739 kB/s', '7.7 kB/s', '281 B/s']);
    const p = new Progress('segment', 400_000, { stream: sink(), force: true });
    p.done = 100_000;
    const started = (p as unknown as { started: number }).started;
    expect(p.line(started + 10_000)).toBe('segment: 25.0%  10 kB/s  ETA 30s');
  });

  it('a stage output is counted as it is parsed, not all at the first read', async () => {
    // ~300 kB of gzip (random words do not compress away): many 16 KiB reads, paced by the parser
    const rnd = prng(7);
    const words = Array.from({ length: 4000 }, () => Math.floor(rnd() * 36 ** 6).toString(36));
    const docs = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `d${i}`, text: Array.from({ length: 30 }, () => words[Math.floor(rnd() * words.length)]).join(' '), meta: {} }));
    const f = path.join(tmpDir('vern-progress-docs-'), 'part-00000.jsonl.gz');
    fs.writeFileSync(f, zlib.gzipSync(docs.join('\n') + '\n'));
    const size = fs.statSync(f).size;
    expect(size).toBeGreaterThan(8 * 16384);
    let counted = 0;
    const atBatch: number[] = [];
    let n = 0;
    for await (const batch of readDocs(f, (b) => (counted += b))) {
      n += batch.length;
      atBatch.push(counted);
    }
    expect(n).toBe(3000);
    expect(counted).toBe(size);
    expect(atBatch[0]).toBeLessThan(size / 4); // the first docs come long before the last byte is counted
    expect(new Set(atBatch).size).toBeGreaterThan(4);
  });

  it('`run --workers 1` on a terminal: every stage and shards step draws its line with rate and ETA', () => {
    // one input file, so each stage has one partition per locale: lines must move inside a partition
    const d = tmpDir('vern-progress-run-');
    const rnd = prng(11);
    const AT = 'Servus gemma heit no auf an Kaffee ins Tschecherl ums Eck des is a Schmäh oida i hob kan Tau heast des Wetter is wieder a Wahnsinn i bleib daham'.split(' ');
    const DE = 'Moin hat jemand Lust auf einen Kaffee nachher in der Stadt das Wetter ist heute echt schlecht ich bleibe lieber zu Hause wer kommt am Wochenende mit zum Fußball'.split(' ');
    const say = (w: string[]) => Array.from({ length: 14 }, () => w[Math.floor(rnd() * w.length)]).join(' ');
    writeJsonl(path.join(d, 'a.jsonl'), Array.from({ length: 2400 }, (_, i) => record({ post_id: `p${i}`, user_id: `u${i % 97}`, body: say(i % 2 ? AT : DE), country_code: i % 2 ? 'AT' : 'DE' })));
    fs.writeFileSync(path.join(d, 'objections.csv'), 'user_id,objected_at\nnobody,2025-01-01\n');
    const cfg = writeConfig(d, { inputs: [{ path: 'a.jsonl' }], objections: { paths: ['objections.csv'], id_field: 'user_id' }, segment: { locales: ['de-AT', 'de-DE'] }, shards: { balance: { strategy: 'uniform', min: 1 } }, evaluate: { enabled: false } });
    const env: NodeJS.ProcessEnv = { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2' };
    delete env.CI;
    const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} run -c ${cfg} -o ${path.join(d, 'out')} --workers 1`, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    const drawn = r.stdout.split(/\r|\n/).map((l) => l.replace(/\x1b\[K/g, '')).filter((l) => /: .*(\/s|so far)/.test(l));
    const lines = (label: string) => drawn.filter((l) => l.startsWith(`${label}: `));
    const bytes = /^[\w-]+: \d+\.\d%  \d[\d.]* (MB|kB|B)\/s  ETA (\d+m)?\d+s$/;
    for (const stage of ['filter', 'segment', 'features', 'signatures', 'shards-write']) {
      expect(lines(stage).length, `${stage}: ${drawn.join(' | ')}`).toBeGreaterThan(0);
      for (const l of lines(stage)) expect(l).toMatch(bytes);
      expect(lines(stage).at(-1)).toMatch(/: 100\.0% /);
    }
    // inside a partition the line moves: segment reads one file (the filter's), features and signatures one per
    // locale (de-AT, de-DE, en-AT); the first line comes after the first read, not at the end of the first file
    for (const stage of ['segment', 'features', 'signatures']) expect(Number(/: ([\d.]+)%/.exec(lines(stage)[0])![1]), lines(stage)[0]).toBeLessThan(30);
    // the plan's map/reduce steps (src/shards/plan/) each draw their line through the partition runner
    for (const step of ['dedup-pairs', 'dedup-clusters', 'shards-counts', 'shards-quotas', 'shards-sample']) {
      expect(lines(step).length, `${step}: ${drawn.join(' | ')}`).toBeGreaterThan(0);
      expect(lines(step).at(-1)).toMatch(/: 100\.0% .*ETA 0s$/);
    }
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
