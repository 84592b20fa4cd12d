import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadSuite, runSuite, type Suite } from '../../src/evaluate/run.js';
import { NgramModel } from '../../src/evaluate/models/ngram.js';
import { PredictionsModel, type ListedRequest } from '../../src/evaluate/models/predictions.js';
import { openModel } from '../../src/evaluate/models/spec.js';
import type { Model } from '../../src/evaluate/models/types.js';
import { evalRequests } from '../../src/cli/commands/eval.js';
import { InputError } from '../../src/errors.js';
import { cli, prng, sampleBuild, tmpDir } from '../helpers.js';

// The offline path: `eval requests` lists what a suite asks, an outside system answers each by its
// key, and `predictions:<file>` must then score exactly what the model itself would score.
let dir: string;
let suiteFile: string;
let baseline: string;

beforeAll(() => {
  const build = sampleBuild();
  dir = tmpDir('vern-preds-');
  const s = YAML.parse(fs.readFileSync(path.join(build, 'eval', 'suite.yaml'), 'utf8'));
  for (const t of s.tasks) {
    t.set = path.join(build, 'eval', t.set);
    t.limit = 8;
  }
  suiteFile = path.join(dir, 'suite.yaml');
  fs.writeFileSync(suiteFile, YAML.stringify(s));
  baseline = path.join(build, 'baseline', 'balanced.json.gz');
});

const listedOnce = new Map<boolean, Promise<ListedRequest[]>>();
const listed = (chat: boolean) => listedOnce.get(chat) ?? listedOnce.set(chat, list(chat)).get(chat)!;
let ngramOnce: NgramModel | undefined;
const ngramModel = () => (ngramOnce ??= new NgramModel(baseline, false));
async function list(chat: boolean): Promise<ListedRequest[]> {
  const out = path.join(dir, `requests${chat ? '-chat' : ''}.jsonl`);
  const r = await evalRequests([], { suite: suiteFile, out, chat });
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ListedRequest);
  expect((r.summary as { requests: number }).requests).toBe(lines.length);
  return lines;
}

/** The answers a system outside vernacular would give: the n-gram baseline asked one request at a time. */
async function answer(model: Model, reqs: ListedRequest[]): Promise<string[]> {
  const lines: string[] = [];
  for (const r of reqs) {
    if (r.kind === 'loglikelihood') {
      const [a] = await model.loglikelihood([r.request as { context: string; continuation: string }]);
      lines.push(JSON.stringify({ key: r.key, logprob: a.logprob }));
    } else {
      const [t] = await model.generate([r.request as { context: string; until: string[]; maxTokens: number }]);
      lines.push(JSON.stringify({ key: r.key, text: t }));
    }
  }
  return lines;
}

const scores = async (m: Model, suite: Suite) => (await runSuite(m, suite, { onSample: () => undefined })).tasks;

describe('eval requests → answers → predictions:<file>', () => {
  it('scores what the model scores, every task (log-likelihood form)', async () => {
    const reqs = await listed(false);
    expect(new Set(reqs.map((r) => r.kind))).toEqual(new Set(['loglikelihood', 'generate']));
    expect(new Set(reqs.map((r) => r.key)).size).toBe(reqs.length);
    const ngram = ngramModel();
    const f = path.join(dir, 'answers.jsonl');
    // shuffled: the order of the answers does not matter
    const lines = await answer(ngram, reqs);
    const rnd = prng(3);
    lines.sort(() => rnd() - 0.5);
    fs.writeFileSync(f, lines.join('\n') + '\n');
    const suite = loadSuite(suiteFile);
    const want = await scores(ngram, suite);
    expect(Object.keys(want).sort()).toEqual(['dialect-id', 'generation', 'perplexity', 'variety-choice']);
    expect(await scores(new PredictionsModel(f), suite)).toEqual(want);
  }, 120_000);

  it('scores what a chat model scores (forced choice, ?chat)', async () => {
    const reqs = await listed(true);
    expect(reqs.every((r) => r.kind === 'generate')).toBe(true);
    const ngram = ngramModel();
    // a model without prompt log-probabilities: the baseline's generations only
    const chat: Model = { id: 'chat', promptLogprobs: false, loglikelihood: () => Promise.reject(new Error('no')), loglikelihoodRolling: () => Promise.reject(new Error('no')), generate: (r) => ngram.generate(r) };
    const f = path.join(dir, 'answers-chat.jsonl');
    fs.writeFileSync(f, (await answer(chat, reqs)).join('\n') + '\n');
    const suite = loadSuite(suiteFile);
    const want = await scores(chat, suite);
    expect(Object.keys(want).sort()).toEqual(['dialect-id.forced-choice', 'generation.chat', 'variety-choice.forced-choice']);
    expect(await scores(new PredictionsModel(f, true), suite)).toEqual(want);
  }, 120_000);

  it('a damaged answers file is an input error naming the file and line, whatever the damage', async () => {
    const reqs = await listed(false);
    const good = await answer(ngramModel(), reqs);
    const ll = good.findIndex((l) => 'logprob' in JSON.parse(l));
    const gen = good.findIndex((l) => 'text' in JSON.parse(l));
    const key = (i: number) => JSON.parse(good[i]).key as string;
    const damaged: Array<[string, (ls: string[]) => string[], RegExp]> = [
      ['a missing answer', (ls) => ls.filter((_, i) => i !== ll), /no prediction for loglikelihood request [0-9a-f]{64}/],
      ['a missing generation', (ls) => ls.filter((_, i) => i !== gen), /no prediction for generate request/],
      ...(['"NaN"', 'null', '0.5', '1e999', '"-1"', 'true', '[-1]'] as const).map((v): [string, (ls: string[]) => string[], RegExp] => [`logprob ${v}`, (ls) => ls.map((l, i) => (i === ll ? `{"key":"${key(ll)}","logprob":${v}}` : l)), new RegExp(`:${ll + 1}: "logprob" must be`)]),
      ['text for a log-likelihood', (ls) => ls.map((l, i) => (i === ll ? JSON.stringify({ key: key(ll), text: 'x' }) : l)), new RegExp(`:${ll + 1}: a loglikelihood request needs "logprob"`)],
      ['a log-prob for a generation', (ls) => ls.map((l, i) => (i === gen ? JSON.stringify({ key: key(gen), logprob: -1 }) : l)), new RegExp(`:${gen + 1}: a generate request needs "text"`)],
      ['text not a string', (ls) => ls.map((l, i) => (i === gen ? JSON.stringify({ key: key(gen), text: 5 }) : l)), new RegExp(`:${gen + 1}: "text" must be a string`)],
      ['a key answered twice, differently', (ls) => [...ls, JSON.stringify({ key: key(ll), logprob: -123.5 })], new RegExp(`:${good.length + 1}: key ${key(ll)} is answered differently on line ${ll + 1}`)],
      ['a key that is not a request key', (ls) => [...ls, '{"key":"abc","logprob":-1}'], new RegExp(`:${good.length + 1}: "key" must be a request key`)],
      ['not JSON', (ls) => [...ls.slice(0, 3), '{"key":', ...ls.slice(3)], /:4: not JSON/],
      ['not an object', (ls) => ['[1,2]', ...ls], /:1: expected an object/],
      ['neither answer', (ls) => [JSON.stringify({ key: key(ll) }), ...ls], /:1: neither "logprob" nor "text"/],
    ];
    const suite = loadSuite(suiteFile);
    for (const [what, damage, msg] of damaged) {
      const f = path.join(dir, 'damaged.jsonl');
      fs.writeFileSync(f, damage(good).join('\n') + '\n');
      let err: unknown;
      try {
        await scores(new PredictionsModel(f), suite);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(InputError);
      expect((err as Error).message, what).toContain(f);
      expect((err as Error).message, what).toMatch(msg);
    }
    // the same answer twice is fine
    const f = path.join(dir, 'twice.jsonl');
    fs.writeFileSync(f, [...good, good[ll]].join('\n') + '\n');
    await scores(new PredictionsModel(f), suite);
  }, 120_000);

  it('on the CLI: eval requests writes the same list; predictions:<file>[?chat] specs; a missing suite exits 3', async () => {
    const reqs = await listed(false);
    const out = path.join(dir, 'cli-requests.jsonl');
    const r = cli(['eval', 'requests', '--suite', suiteFile, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual(reqs);
    const f = path.join(dir, 'spec.jsonl');
    fs.writeFileSync(f, JSON.stringify({ key: reqs[0].key, logprob: -1 }) + '\n');
    expect((await openModel(`predictions:${f}`)).promptLogprobs).toBe(true);
    expect((await openModel(`predictions:${f}?chat`)).promptLogprobs).toBe(false);
    const missing = cli(['eval', 'requests', '--suite', path.join(dir, 'nope.yaml'), '--out', out]);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('nope.yaml');
  }, 240_000);
});
