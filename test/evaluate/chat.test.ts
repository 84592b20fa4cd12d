import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LETTERS, forcedChoicePrompt, optionOrder, parseChoiceAnswer } from '../../src/evaluate/models/forced-choice.js';
import { OpenAIChatModel } from '../../src/evaluate/models/openai.js';
import { CachedModel } from '../../src/evaluate/models/cache.js';
import { openModel } from '../../src/evaluate/models/spec.js';
import { loadSuite, runSuite } from '../../src/evaluate/run.js';
import { rng } from '../../src/evaluate/metrics.js';
import { evalMarkdown } from '../../src/report/eval-report.js';
import { tmpDir } from '../helpers.js';
import { postJson, startServer } from './fixtures-model.js';

const FIX = path.join(import.meta.dirname, 'fixtures', 'chat');

describe('forced choice: prompt and strict parsing', () => {
  it('accepts the letter alone (bracketed, bold, with . ) :) or with exactly its option text; rejects everything else', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + Math.floor(rand() * 4);
      const options = Array.from({ length: n }, (_, i) => `option ${i} ${Math.floor(rand() * 1e6)}`);
      const k = Math.floor(rand() * n);
      const L = LETTERS[k];
      for (const ok of [L, ` ${L}\n`, `${L}.`, `${L})`, `(${L})`, `[${L}]`, `**${L}**`, `${L}:`, `${L}. ${options[k]}`, `${L}) ${options[k]}`]) expect(parseChoiceAnswer(ok, options), JSON.stringify(ok)).toBe(k);
      const other = LETTERS[(k + 1) % n];
      const beyond = LETTERS[n + Math.floor(rand() * 3)];
      for (const bad of ['', '  ', beyond, `${beyond}.`, L.toLowerCase(), `${L} ${other}`, `${L} or ${other}`, `${L}${other}`, `The answer is ${L}`, `${L}. ${options[(k + 1) % n]}`, `${L}. something else`, `Answer: ${L}`, '?', `${L}...`]) expect(parseChoiceAnswer(bad, options), JSON.stringify(bad)).toBeNull();
    }
  });

  it('options are shuffled per item (a model answering "A" is at chance), the prompt lists every choice once', () => {
    const pos = [0, 0, 0];
    for (let i = 0; i < 600; i++) {
      const order = optionOrder(`item-${i}`, 3);
      expect([...order].sort()).toEqual([0, 1, 2]);
      pos[order.indexOf(0)]++;
      expect(optionOrder(`item-${i}`, 3)).toEqual(order);
    }
    for (const p of pos) expect(p).toBeGreaterThan(150);
    const item = { id: 'x1', task: 'dialect-id' as const, context: 'Post: Servus!\nRegion:', choices: [' Österreich', ' Deutschland', ' Schweiz'] };
    const { prompt, order } = forcedChoicePrompt(item);
    order.forEach((c, k) => expect(prompt).toContain(`\n${LETTERS[k]}. ${item.choices[c].trim()}\n`));
    expect(prompt.startsWith(item.context)).toBe(true);
    expect(prompt).toMatch(/Answer with the letter only\.$/);
  });
});

/** A suite of small sets (the shapes `eval build` writes) in a temp folder. */
function smallSuite(withGeneration = false): { suite: string; items: { [task: string]: Array<{ id: string; locale: string; choices?: string[]; gold?: number }> } } {
  const dir = tmpDir('vern-chat-');
  fs.mkdirSync(path.join(dir, 'sets'));
  const items: { [task: string]: Array<{ id: string; locale: string; [k: string]: unknown }> } = { 'variety-choice': [], 'dialect-id': [], perplexity: [], generation: [] };
  const locs = ['de-AT', 'de-DE'];
  for (let i = 0; i < 10; i++) {
    const locale = locs[i % 2];
    const prov = { shard: 's', doc: `d${i}` };
    items['variety-choice'].push({ id: `vc${i}`, task: 'variety-choice', locale, context: '', contextPreamble: locale === 'de-AT' ? 'Posted in Austria:\n' : 'Posted in Germany:\n', choices: [`right ${i}: Servus gemma`, `wrong ${i}: Moin gehen wir`, `wrong ${i}: Grüezi`], gold: 0, choiceLocales: [locale, 'x', 'y'], provenance: prov });
    items['dialect-id'].push({ id: `di${i}`, task: 'dialect-id', locale, context: `Post: Servus ${i}\nRegion:`, choices: [` wrong ${i}`, ` right ${i}`], gold: 1, choiceLocales: ['x', locale], provenance: prov });
    items.perplexity.push({ id: `pp${i}`, task: 'perplexity', locale, text: 'Servus, gemma', provenance: prov });
    items.generation.push({ id: `g${i}`, task: 'generation', locale, text: 'Servus, gemma heute', context: 'Posted in Austria:\nServus,', provenance: prov });
  }
  for (const [t, xs] of Object.entries(items)) fs.writeFileSync(path.join(dir, 'sets', `${t}.jsonl`), xs.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const suite = path.join(dir, 'suite.yaml');
  // generation loads the feature lexicons (seconds): only where it is tested
  fs.writeFileSync(suite, YAML.stringify({ name: 'chat-test', bootstrap: 200, tasks: Object.keys(items).filter((t) => withGeneration || t !== 'generation').map((t) => ({ task: t, set: `sets/${t}.jsonl` })) }));
  return { suite, items: items as never };
}

describe('openai-chat against the recorded response shapes of llama.cpp, Ollama and vLLM', () => {
  let server: http.Server;
  let base: string;
  let fixture = '';
  let answer: (prompt: string) => string = () => '';
  const bodies: Array<{ [k: string]: unknown }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        const j = JSON.parse(b);
        bodies.push(j);
        if (req.url !== '/v1/chat/completions') return res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no' } }));
        const a = answer(j.messages.at(-1).content);
        res.writeHead(200, { 'content-type': 'application/json' }).end(fs.readFileSync(path.join(FIX, fixture), 'utf8').replace('__ANSWER__', JSON.stringify(a).slice(1, -1)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => server.close());

  /** The letter of the option whose text starts with "right", in a few styles servers' models answer in. */
  const rightLetter = (prompt: string, style: number) => {
    const m = /^([A-Z])\. (right.*)$/m.exec(prompt)!;
    return [m[1], `${m[1]}.`, ` **${m[1]}**\n`, `${m[1]}. ${m[2]}`][style % 4];
  };

  for (const f of ['llama-cpp-server.json', 'ollama-v1.json', 'vllm.json']) {
    it(`${f}: right letters score 1 with none unparseable; prose is counted unparseable and wrong; perplexity left out with a note`, async () => {
      fixture = f;
      const { suite, items } = smallSuite();
      let style = 0;
      answer = (p) => (/Which of these/.test(p) ? rightLetter(p, style++) : 'gemma heute no');
      const samples: Array<{ [k: string]: unknown }> = [];
      const model = (await openModel(`openai-chat:${base}#m`)) as OpenAIChatModel;
      expect(model.promptLogprobs).toBe(false);
      const r = await runSuite(model, loadSuite(suite), { onSample: (s) => samples.push(s as never) });
      expect(Object.keys(r.tasks).sort()).toEqual(['dialect-id.forced-choice', 'variety-choice.forced-choice']);
      expect(r.notes).toEqual([expect.stringMatching(/^perplexity: left out — openai-chat:.* gives no log-probabilities of a prompt$/)]);
      for (const t of ['variety-choice', 'dialect-id']) {
        const res = r.tasks[`${t}.forced-choice`];
        for (const l of ['de-AT', 'de-DE']) {
          expect(res.acc.perLocale[l].value).toBe(1);
          expect(res.acc.perLocale[l].n).toBe(items[t].filter((x) => x.locale === l).length);
          expect(res.unparseable.perLocale[l].value).toBe(0);
        }
      }
      // reported apart, with per-locale intervals in the summary table
      const md = evalMarkdown([r]);
      expect(md).toContain('| locale | variety-choice.forced-choice acc [95% CI] | dialect-id.forced-choice acc [95% CI] |');
      expect(md).toMatch(/\| de-AT \| 1(?:\.00?)? \[1(?:\.00?)?, 1(?:\.00?)?\] n=5 \| 1(?:\.00?)? \[1(?:\.00?)?, 1(?:\.00?)?\] n=5 \|/);
      // the request: the prompt as the user's message, greedy
      const last = bodies.at(-1)!;
      expect(last.temperature).toBe(0);
      expect(last.model).toBe('m');
      // prose: unparseable, wrong, counted per locale
      answer = (p) => (/Which of these/.test(p) ? `I think ${rightLetter(p, 0)}` : '');
      const r2 = await runSuite(model, loadSuite(suite), { onSample: () => {} });
      for (const t of ['variety-choice', 'dialect-id']) {
        const res = r2.tasks[`${t}.forced-choice`];
        expect(res.acc.macro).toBe(0);
        expect(res.unparseable.macro).toBe(1);
        expect(res.unparseable.perLocale['de-AT'].ci95).toEqual([1, 1]);
      }
      expect(samples.filter((s) => s.form === 'forced-choice').every((s) => s.correct === true && s.unparseable === false)).toBe(true);
    });
  }

  it('a chat model refuses log-likelihood requests with a clear message', async () => {
    const m = new OpenAIChatModel(base, 'm');
    await expect(m.loglikelihood()).rejects.toThrow(/gives no log-probabilities of a prompt/);
  });
});

describe('openai-chat end to end against serve-model /v1/chat/completions', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer(false);
  });
  afterAll(async () => s.close());

  it('every item answered, parsed or counted unparseable; the answers are what the endpoint says; cached re-run asks nothing', async () => {
    const { suite, items } = smallSuite(true);
    const samples: Array<{ [k: string]: any }> = [];
    fs.writeFileSync(path.join(path.dirname(suite), 'no-gen.yaml'), fs.readFileSync(suite, 'utf8').replace(/  - task: generation\n    set: sets\/generation.jsonl\n/, ''));
    const inner = (await openModel(`openai-chat:${s.base}/v1#baseline`)) as OpenAIChatModel;
    const model = await CachedModel.open(inner, path.join(tmpDir('vern-chat-cache-'), 'c.sqlite'));
    expect(model.promptLogprobs).toBe(false);
    const r = await runSuite(model, loadSuite(suite), { onSample: (x) => samples.push(x as never) });
    expect(Object.keys(r.tasks).sort()).toEqual(['dialect-id.forced-choice', 'generation.chat', 'variety-choice.forced-choice']);
    for (const t of ['variety-choice', 'dialect-id']) {
      const got = samples.filter((x) => x.task === t);
      expect(got.length).toBe(items[t].length);
      const res = r.tasks[`${t}.forced-choice`];
      for (const l of ['de-AT', 'de-DE']) {
        const mine = got.filter((x) => x.locale === l);
        expect(res.unparseable.perLocale[l].value).toBeCloseTo(mine.filter((x) => x.unparseable).length / mine.length, 12);
        expect(res.acc.perLocale[l].value).toBeCloseTo(mine.filter((x) => x.correct).length / mine.length, 12);
        const e = res.acc.perLocale[l];
        expect(e.ci95[0]).toBeLessThanOrEqual(e.value);
        expect(e.ci95[1]).toBeGreaterThanOrEqual(e.value);
      }
      // the endpoint, asked directly, gives the same answer the run recorded; the parse is consistent
      for (const x of got.slice(0, 4)) {
        const it = items[t].find((i) => i.id === x.id)!;
        const { prompt, order } = forcedChoicePrompt(it as never);
        const d = await postJson(`${s.base}/v1/chat/completions`, { model: 'baseline', messages: [{ role: 'user', content: prompt }], max_tokens: 16, temperature: 0 });
        expect(d.status).toBe(200);
        expect(d.json.object).toBe('chat.completion');
        expect(d.json.choices[0].message.role).toBe('assistant');
        expect(d.json.choices[0].message.content).toBe(x.answer);
        expect(x.unparseable).toBe(parseChoiceAnswer(x.answer, order.map((c) => it.choices![c])) === null);
      }
    }
    expect(samples.filter((x) => x.task === 'generation').length).toBe(items.generation.length);
    const before = model.misses;
    await runSuite(model, loadSuite(path.join(path.dirname(suite), 'no-gen.yaml')), { onSample: () => {} });
    expect(model.misses).toBe(before);
    await model.close();
  });

  it('the chat endpoint validates messages in OpenAI\'s error shape', async () => {
    for (const body of [{ messages: [] }, { messages: [{ role: 'robot', content: 'x' }] }, { messages: [{ role: 'user', content: 3 }] }]) {
      const r = await postJson(`${s.base}/v1/chat/completions`, body);
      expect(r.status).toBe(400);
      expect(r.json.error.param).toBe('messages');
    }
  });
});
