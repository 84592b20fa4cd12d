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
      fs.writeFileSync(small, fs.readFileSync(suite, 'utf8').replace(/set: (sets\/(variety-choice|perplexity|dialect-id)\.jsonl)/g, 'set: $1\n    limit: 60').replace(/  - task: generation\n    set: sets\/generation.jsonl\n/, ''));
      const a = cli(['--json', 'eval', 'run', '-m', `ngram:${model}`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'inproc')]);
      const b = cli(['--json', 'eval', 'run', '-m', `openai:http://127.0.0.1:${port}/v1#baseline`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'http')]);
      expect(a.status, a.stderr).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      const ra = JSON.parse(a.stdout).runs[0].tasks; // one shape for one model or several
      const rb = JSON.parse(b.stdout).runs[0].tasks;
      expect(Object.keys(ra).sort()).toEqual(['dialect-id', 'perplexity', 'variety-choice']);
      expect(rb).toEqual(ra);
      // a re-run is answered from the cache
      const c = cli(['--json', 'eval', 'run', '-m', `openai:http://127.0.0.1:${port}/v1#baseline`, '-s', small, '-o', path.join(out, 'eval', 'runs', 'http')]);
      expect(JSON.parse(c.stdout).runs[0].cache.misses).toBe(0);
    } finally {
      server.kill();
    }
  });

  it('judge score works on JSONL, CSV and TSV', () => {
    const d = tmpDir('vern-judge-');
    // two locales, so the macro-F1 averages over more than one class; two de-AT docs labelled
    // de-DE, so precision and recall differ and a wrong F1 or average cannot pass as right
    const val = [...splitDocs(path.join(out, 'shards'), 'validation')];
    const rows = [...val.filter((x) => x.locale === 'de-AT').slice(0, 6), ...val.filter((x) => x.locale === 'de-DE').slice(0, 6)].map((r, i) => ({ text: r.text, label: i < 2 ? 'de-DE' : r.locale }));
    expect(rows.length).toBeGreaterThan(8);
    fs.writeFileSync(path.join(d, 'g.jsonl'), rows.map((r) => JSON.stringify({ text: r.text, label: r.label })).join('\n'));
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    fs.writeFileSync(path.join(d, 'g.csv'), 'sentence,locale\n' + rows.map((r) => `${q(r.text)},${r.label}`).join('\n'));
    fs.writeFileSync(path.join(d, 'g.tsv'), 'sentence\tlocale\n' + rows.map((r) => `${r.text.replace(/[\t\n"]/g, ' ')}\t${r.label}`).join('\n'));
    const judge = path.join(out, 'judge', 'judge.json.gz');
    const outs = [
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.jsonl')]),
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.csv'), '--text-col', 'sentence', '--label-col', 'locale']),
      cli(['--json', 'judge', 'score', '-j', judge, '-d', path.join(d, 'g.tsv'), '--text-col', 'sentence', '--label-col', 'locale']),
    ];
    for (const o of outs) {
      expect(o.status, o.stderr).toBe(0);
      const s = JSON.parse(o.stdout);
      const cm = s.confusion as number[][];
      expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(rows.length);
      // the oracle: macro-F1 over the classes with gold support, and accuracy, from the confusion matrix
      const f1s = cm.flatMap((row, i) => {
        const support = row.reduce((a, b) => a + b, 0);
        if (!support) return [];
        const predicted = cm.reduce((a, r) => a + r[i], 0);
        const p = predicted ? row[i] / predicted : 0;
        const r = row[i] / support;
        return [p + r ? (2 * p * r) / (p + r) : 0];
      });
      expect(f1s.length).toBeGreaterThan(1);
      // not vacuous: the mislabelled docs make the judge wrong somewhere
      expect(s.macroF1).toBeLessThan(1);
      expect(s.macroF1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / f1s.length, 12);
      expect(s.accuracy).toBeCloseTo(cm.reduce((a, row, i) => a + row[i], 0) / rows.length, 12);
    }
    expect(JSON.parse(outs[0].stdout).confusion).toEqual(JSON.parse(outs[1].stdout).confusion);
  });

  it('the judge trains on every non-test author\'s docs: train, validation and what balance left out, no test author', async () => {
    const { nonTestDocs } = await import('../../src/evaluate/train.js');
    const shards = path.join(out, 'shards');
    const testAuthors = new Set([...splitDocs(shards, 'test')].map((d) => d.author));
    const nonTest = [...splitDocs(shards, 'train'), ...splitDocs(shards, 'validation')];
    const { byLang, sources } = await nonTestDocs(shards, '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2');
    const all = [...byLang.values()];
    const n = all.reduce((s, b) => s + b.texts.length, 0);
    for (const b of all) for (const g of b.groups) expect(testAuthors.has(g), g).toBe(false);
    expect(n).toBeGreaterThan(new Set(nonTest.map((d) => d.id)).size);
    expect(sources['features (left out by balance)']).toBeGreaterThan(0);
    // without the secret: the shards' non-test splits only
    const bare = await nonTestDocs(shards);
    expect(bare.sources['features (left out by balance)']).toBeUndefined();
    const report = JSON.parse((await import('node:zlib')).gunzipSync(fs.readFileSync(path.join(out, 'judge', 'judge.json.gz'))).toString('utf8')).report;
    expect(report.de.trainedOn).toBe(byLang.get('de')!.texts.length);
  });

  it('judge train --build --unlabelled: the test authors\' texts self-train the judge of their detected language', () => {
    const d = tmpDir('vern-judge-build-unl-');
    const test = [...splitDocs(path.join(out, 'shards'), 'test')];
    fs.writeFileSync(path.join(d, 'unl.jsonl'), test.map((x) => JSON.stringify({ text: x.text })).join('\n'));
    const r = cli(['--json', 'judge', 'train', '--build', out, '--unlabelled', path.join(d, 'unl.jsonl'), '-o', path.join(d, 'j.json.gz')]);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout).report;
    const langs = Object.keys(rep).filter((k) => !k.startsWith('_'));
    expect(langs.length).toBeGreaterThan(1);
    const routed = langs.reduce((a, l) => a + rep[l].selfTraining.unlabelled, 0);
    const unrouted = Object.values(rep._unlabelled.unrouted as { [l: string]: number }).reduce((a, b) => a + b, 0);
    expect(routed + unrouted).toBe(test.length);
    // most test docs are in a judged language and detected as such
    expect(routed).toBeGreaterThan(0.8 * test.filter((x) => langs.includes(x.locale.split('-')[0])).length);
    for (const l of langs) expect(rep[l].trainedOn).toBe(rep[l].selfTraining.added + Object.values(rep[l].perLabel as { [k: string]: number }).reduce((a, b) => a + b, 0));
    // --lang belongs to --input
    expect(cli(['judge', 'train', '--build', out, '--lang', 'de', '-o', path.join(d, 'x.json.gz')]).status).toBe(2);
  }, 120_000);

  it('eval separation: equal-size mixes per sibling pair, item counts and intervals per cell', () => {
    const r = cli(['--json', 'eval', 'separation', '--build', out]);
    expect(r.status, r.stderr).toBe(0);
    const cells = JSON.parse(r.stdout).cells as Array<{ locale: string; sibling: string; mix: { charsSeen: number; charsNotSeen: number }; varietyChoice: { n: number; nAll: number; seen: { ci95: number[]; value: number }; notSeen: { ci95: number[] }; separated: boolean } }>;
    expect(cells.map((c) => c.locale).sort()).toEqual([...SIBLINGS].sort());
    const vc = fs
      .readFileSync(path.join(out, 'eval', 'sets', 'variety-choice.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { locale: string; choiceLocales: string[] });
    for (const c of cells) {
      expect(c.mix.charsSeen, c.locale).toBe(c.mix.charsNotSeen);
      expect(c.mix.charsSeen).toBeGreaterThan(0);
      // every item of the locale is counted in nAll; the cell scores those that offer the sibling's form
      expect(c.varietyChoice.nAll, c.locale).toBe(vc.filter((it) => it.locale === c.locale).length);
      expect(c.varietyChoice.n, c.locale).toBeGreaterThanOrEqual(vc.filter((it) => it.locale === c.locale && it.choiceLocales.slice(1).includes(c.sibling)).length);
      expect(c.varietyChoice.n, c.locale).toBeLessThanOrEqual(c.varietyChoice.nAll);
      expect(c.varietyChoice.n, c.locale).toBeGreaterThanOrEqual(12);
      expect(c.varietyChoice.separated).toBe(c.varietyChoice.seen.ci95[0] > c.varietyChoice.notSeen.ci95[1]);
    }
    // en-IE and en-MT share most British forms: items whose alternatives are only en-GB/en-US forms are left out
    const en = cells.find((c) => c.locale === 'en-MT')!;
    expect(en.varietyChoice.n).toBeLessThan(en.varietyChoice.nAll);
    // the eval tells a model that has seen a locale's forms from one that has not, for most locales
    expect(cells.filter((c) => c.varietyChoice.separated).length).toBeGreaterThanOrEqual(10);
    for (const l of ['en-IE', 'en-MT']) expect(cells.find((c) => c.locale === l)!.varietyChoice.separated, l).toBe(true);
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

  it('429 and 503 are retried with backoff and counted', async () => {
    script.push((r) => r.writeHead(429).end(), (r) => r.writeHead(503).end(), ok);
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
