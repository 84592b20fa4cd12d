import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { splitDocs } from '../../src/evaluate/shard-docs.js';
import { OpenAIModel } from '../../src/evaluate/models/openai.js';
import { CLI, ROOT, cli, sampleBuild, tmpDir } from '../helpers.js';

const CONFIG = path.join(ROOT, 'corpora', 'sample', 'vernacular.yaml');
const SIBLINGS = ['en-IE', 'en-MT', 'de-DE', 'de-AT', 'fr-FR', 'fr-BE', 'nl-NL', 'nl-BE', 'sv-SE', 'sv-FI', 'el-GR', 'el-CY'];

describe('evaluation on the sample', () => {
  let out: string;
  beforeAll(() => {
    out = sampleBuild({ copy: true }); // the tests write runs into its eval/ folder
  });

  const items = (task: string) => fs.readFileSync(path.join(out, 'eval', 'sets', `${task}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('≥ 30 variety-choice items per locale with a sibling, alternatives differing only in the variant', () => {
    const vc = items('variety-choice');
    for (const l of SIBLINGS) expect(vc.filter((x) => x.locale === l).length, l).toBeGreaterThanOrEqual(30);
    for (const it of vc) {
      const [gold, ...alts] = it.choices as string[];
      for (const a of alts) {
        let p = 0;
        while (p < gold.length && gold[p] === a[p]) p++;
        let s = 0;
        while (s < gold.length - p && s < a.length - p && gold[gold.length - 1 - s] === a[a.length - 1 - s]) s++;
        // what differs is one short span (the variant), the rest is identical
        const changed = gold.slice(p, gold.length - s);
        expect(changed.length, `${it.id}: ${gold} | ${a}`).toBeLessThanOrEqual(40);
        expect(changed.split(/\s+/).length, it.id).toBeLessThanOrEqual(4);
      }
    }
  });

  it('no eval item comes from a train or validation author', () => {
    const shards = path.join(out, 'shards');
    const nonTest = new Set<string>();
    const docAuthor = new Map<string, string>();
    for (const split of ['train', 'validation']) for (const d of splitDocs(shards, split)) nonTest.add(d.author);
    for (const d of splitDocs(shards, 'test')) docAuthor.set(d.id, d.author);
    for (const task of ['variety-choice', 'perplexity', 'generation', 'dialect-id']) {
      for (const it of items(task)) {
        const a = docAuthor.get(it.provenance.doc);
        expect(a, `${task} ${it.id}`).toBeDefined();
        expect(nonTest.has(a!), `${task} ${it.id}`).toBe(false);
      }
    }
  });

  it('results carry per-locale intervals, macro and worst locale; reports are written', () => {
    const r = JSON.parse(fs.readFileSync(path.join(out, 'eval', 'runs', 'compare', 'results.json'), 'utf8'));
    const vc = r.runs[0].tasks['variety-choice'].acc;
    const e = vc.perLocale['de-AT'];
    expect(e.ci95[0]).toBeLessThanOrEqual(e.value);
    expect(e.ci95[1]).toBeGreaterThanOrEqual(e.value);
    expect(e.stderr).toBeGreaterThan(0);
    expect(vc.worst.locale).toMatch(/^[a-z]{2}-[A-Z]{2}$/);
    const html = fs.readFileSync(path.join(out, 'eval', 'runs', 'compare', 'report.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]+id="chart-variety-choice-acc"/);
    expect(html).not.toMatch(/<script|(src|href)=["']?https?:|@import|url\(/);
  });

  it('end to end over HTTP: serve-model + openai adapter gives the same scores as ngram in process', async () => {
    const model = path.join(out, 'baseline', 'balanced.json.gz');
    const server = spawn(process.execPath, [CLI, 'serve-model', '--model', `ngram:${model}`, '--port', '0'], { env: { ...process.env, CI: '1' } });
    const port = await new Promise<number>((resolve, reject) => {
      server.stderr.on('data', (d) => {
        const m = /127\.0\.0\.1:(\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      server.on('exit', () => reject(new Error('serve-model exited')));
    });
    try {
      const suite = path.join(out, 'eval', 'suite.yaml');
      // a small suite over the same sets, to keep the HTTP run short
      const small = path.join(out, 'eval', 'small.yaml');
      fs.writeFileSync(small, fs.readFileSync(suite, 'utf8').replace(/set: (sets\/(variety-choice|perplexity)\.jsonl)/g, 'set: $1\n    limit: 60').replace(/  - task: generation\n    set: sets\/generation.jsonl\n/, ''));
      const a = cli(['--json', 'eval', 'run', '-m', `ngram:${model}`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'inproc')]);
      const b = cli(['--json', 'eval', 'run', '-m', `openai:http://127.0.0.1:${port}/v1#baseline`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'http')]);
      expect(a.status, a.stderr).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      const ra = JSON.parse(a.stdout).tasks;
      const rb = JSON.parse(b.stdout).tasks;
      expect(Object.keys(ra).sort()).toEqual(['dialect-id', 'perplexity', 'variety-choice']);
      expect(rb).toEqual(ra);
      // a re-run is answered from the cache
      const c = cli(['--json', 'eval', 'run', '-m', `openai:http://127.0.0.1:${port}/v1#baseline`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'http')]);
      expect(JSON.parse(c.stdout).cache.misses).toBe(0);
    } finally {
      server.kill();
    }
  });

  it('judge score works on JSONL, CSV and TSV', () => {
    const d = tmpDir('vern-judge-');
    const rows = [...splitDocs(path.join(out, 'shards'), 'validation')].filter((x) => x.locale.startsWith('de-')).slice(0, 12);
    expect(rows.length).toBeGreaterThan(4);
    fs.writeFileSync(path.join(d, 'g.jsonl'), rows.map((r) => JSON.stringify({ text: r.text, label: r.locale })).join('\n'));
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    fs.writeFileSync(path.join(d, 'g.csv'), 'sentence,locale\n' + rows.map((r) => `${q(r.text)},${r.locale}`).join('\n'));
    fs.writeFileSync(path.join(d, 'g.tsv'), 'sentence\tlocale\n' + rows.map((r) => `${r.text.replace(/[\t\n"]/g, ' ')}\t${r.locale}`).join('\n'));
    const judge = path.join(out, 'judge', 'judge.json.gz');
    const outs = [
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.jsonl')]),
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.csv'), '--text-col', 'sentence', '--label-col', 'locale']),
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.tsv'), '--text-col', 'sentence', '--label-col', 'locale']),
    ];
    for (const o of outs) {
      expect(o.status, o.stderr).toBe(0);
      const s = JSON.parse(o.stdout);
      expect(s.macroF1).toBeGreaterThanOrEqual(0);
      expect(s.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(rows.length);
    }
    expect(JSON.parse(outs[0].stdout).confusion).toEqual(JSON.parse(outs[1].stdout).confusion);
  });

  it('a suite naming a missing set is a clear error', () => {
    const bad = path.join(out, 'eval', 'bad.yaml');
    fs.writeFileSync(bad, 'name: x\ntasks:\n  - task: perplexity\n    set: sets/nope.jsonl\n');
    const r = cli(['eval', 'run', '-m', `ngram:${path.join(out, 'baseline', 'balanced.json.gz')}`, '-s', bad]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/names a missing set sets\/nope\.jsonl/);
  });
});

describe('OpenAI adapter failures', () => {
  let server: http.Server;
  let port: number;
  const script: Array<(res: http.ServerResponse) => void> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => (script.shift() ?? ((r) => r.writeHead(500).end()))(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());
  const ok = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ text: 'ab', logprobs: { tokens: ['a', 'b'], token_logprobs: [-1, -2], text_offset: [0, 1] } }] }));

  it('429 and 500 are retried with backoff and counted', async () => {
    script.push((r) => r.writeHead(429).end(), (r) => r.writeHead(500).end(), ok);
    const m = new OpenAIModel(`http://127.0.0.1:${port}/v1`, 'x', { backoffMs: 5 });
    const [r] = await m.loglikelihood([{ context: 'a', continuation: 'b' }]);
    expect(r.logprob).toBe(-2);
    expect(m.retried).toBe(2);
  });

  it('malformed output is a clear error naming the URL', async () => {
    script.push((r) => r.writeHead(200).end('not json'));
    const m = new OpenAIModel(`http://127.0.0.1:${port}/v1`, 'x', { backoffMs: 5 });
    await expect(m.loglikelihood([{ context: '', continuation: 'b' }])).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port}/v1/completions sent a malformed response`));
  });

  it('an unreachable server is an error naming the URL and the attempts', async () => {
    const m = new OpenAIModel('http://127.0.0.1:9/v1', 'x', { backoffMs: 1, retries: 2, timeoutMs: 2000 });
    await expect(m.generate([{ context: 'x', until: [], maxTokens: 3 }])).rejects.toThrow(/http:\/\/127\.0\.0\.1:9\/v1\/completions unreachable after 3 attempts/);
  });
});

describe('variety-choice alternatives take the case of the word they replace', () => {
  it('capitalised, shouted, acronym in running text, lower case', async () => {
    const { caseLike } = await import('../../src/evaluate/build.js');
    expect(caseLike('Septante', 'soixante-dix', 'Septante ans, déjà.')).toBe('Soixante-dix');
    expect(caseLike('septante', 'soixante-dix', 'il a septante ans')).toBe('soixante-dix');
    expect(caseLike('GSM', 'natel', "J'ai encore perdu mon GSM au kot")).toBe('natel');
    expect(caseLike('SEPTANTE', 'soixante-dix', 'SEPTANTE EUROS POUR UN PLEIN')).toBe('SOIXANTE-DIX');
    expect(caseLike('gsm', 'portable', 'mon gsm')).toBe('portable');
  });
});
