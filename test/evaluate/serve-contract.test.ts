import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOS_ID, EOS_ID } from '../../src/evaluate/serve.js';
import { rng } from '../../src/evaluate/metrics.js';
import { OpenAIModel } from '../../src/evaluate/models/openai.js';
import type { NgramModel } from '../../src/evaluate/models/ngram.js';
import { PREAMBLES, TRAIN, postJson, startServer } from './fixtures-model.js';

/**
 * lm-evaluation-harness 0.4.x `local-completions` as it scores a batch of loglikelihood requests,
 * transcribed from lm_eval/models/api_models.py and openai_completions.py: the remote tokenizer
 * (GET /tokenizer_info, POST /tokenize with add_special_tokens false), `_encode_pair` (trailing
 * whitespace of the context moves to the continuation; the continuation's tokens are the whole's
 * after the context's), the prefix token for an empty context, one batched request with token-id
 * prompts, echo, max_tokens 1, logprobs 1, temperature 0, and `parse_logprobs`:
 * sum(token_logprobs[ctxlen:-1]) over the choices sorted by index, plus the is_greedy check.
 */
async function lmEvalLoglikelihood(base: string, reqs: Array<{ context: string; continuation: string }>) {
  const info = (await (await fetch(`${base}/tokenizer_info`)).json()) as { bos_token: string; eos_token: string };
  expect(typeof info.eos_token).toBe('string');
  const encode = async (text: string): Promise<number[]> => (await postJson(`${base}/tokenize`, { prompt: text, add_special_tokens: false })).json.tokens;
  const bosId = (await encode(info.bos_token))[0];
  // Python's `bos_token_id or eos_token_id`: an id of 0 would be lost
  expect(bosId).toBeTruthy();
  const pairs: Array<{ ctx: number[]; cont: number[]; split: { context: string; continuation: string } }> = [];
  for (const r of reqs) {
    if (r.context === '') {
      pairs.push({ ctx: [bosId], cont: await encode(r.continuation), split: r });
      continue;
    }
    const n = r.context.length - r.context.trimEnd().length;
    const context = n ? r.context.slice(0, -n) : r.context;
    const continuation = n ? r.context.slice(-n) + r.continuation : r.continuation;
    const whole = await encode(context + continuation);
    const ctx = await encode(context);
    pairs.push({ ctx, cont: whole.slice(ctx.length), split: { context, continuation } });
  }
  const inputs = pairs.map((p) => [...p.ctx, ...p.cont]);
  const { status, json } = await postJson(`${base}/v1/completions`, { model: 'baseline', prompt: inputs, temperature: 0, max_tokens: 1, logprobs: 1, seed: 1234, echo: true });
  expect(status, JSON.stringify(json)).toBe(200);
  const choices = [...json.choices].sort((a, b) => a.index - b.index);
  expect(choices.length).toBe(reqs.length);
  return choices.map((c, i) => {
    const ctxlen = pairs[i].ctx.length;
    expect(ctxlen).toBeGreaterThan(0);
    const lps: number[] = c.logprobs.token_logprobs.slice(ctxlen, -1);
    // the same split by text offset: the tokens at or after the context's end in the echoed text,
    // but the generated one (offsets count UTF-16 units, as the text does)
    const ctxText = pairs[i].split.context;
    expect(c.text.slice(0, ctxText.length)).toBe(ctxText);
    const n: number = c.logprobs.tokens.length;
    const byOffset = c.logprobs.token_logprobs.filter((x: number | null, k: number) => k < n - 1 && x !== null && c.logprobs.text_offset[k] >= ctxText.length);
    expect(byOffset).toEqual(lps);
    const tops: Array<{ [k: string]: number }> = c.logprobs.top_logprobs.slice(ctxlen, -1);
    let greedy = true;
    for (let k = 0; k < lps.length; k++) if (lps[k] !== Math.max(...Object.values(tops[k]))) greedy = false;
    return { logprob: lps.reduce((s, x) => s + x, 0), greedy, split: pairs[i].split, nPromptTokens: inputs[i].length, nTokens: c.logprobs.tokens.length };
  });
}

/** Random requests over the training alphabet: empty contexts, trailing spaces, preambles, emoji, Greek. */
function randomRequests(seed: number, n: number): Array<{ context: string; continuation: string }> {
  const rand = rng(seed);
  const pool = Object.values(TRAIN).flat();
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = Array.from(pick(pool));
    const cut = Math.floor(rand() * t.length);
    let context = t.slice(0, cut).join('');
    const continuation = t.slice(cut).join('') || 'x';
    if (rand() < 0.2) context = '';
    else if (rand() < 0.3) context += ' ';
    else if (rand() < 0.3) context = pick(Object.values(PREAMBLES)) + context;
    out.push({ context, continuation });
  }
  return out;
}

describe('serve-model against the completions contract as lm-eval local-completions uses it', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let sc: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer(false);
    sc = await startServer(true);
  });
  afterAll(async () => {
    await s.close();
    await sc.close();
  });

  const inProcess = async (m: NgramModel, split: { context: string; continuation: string }) => (await m.loglikelihood([split]))[0].logprob;

  for (const [label, conditioned] of [['global', false], ['locale-conditioned', true]] as const) {
    it(`lm-eval's batched echo/max_tokens=1 log-likelihood equals the in-process one (${label}, 3 seeds × 24 requests)`, async () => {
      const srv = conditioned ? sc : s;
      for (const seed of [1, 2, 3]) {
        const reqs = randomRequests(seed, 24);
        const got = await lmEvalLoglikelihood(srv.base, reqs);
        for (const [i, g] of got.entries()) {
          // the generated token was appended after the prompt's tokens, and lm-eval dropped only it
          expect(g.nTokens, JSON.stringify(reqs[i])).toBe(g.nPromptTokens + 1);
          const want = await inProcess(srv.model, g.split);
          expect(Math.abs(g.logprob - want), JSON.stringify(reqs[i])).toBeLessThan(1e-3);
        }
      }
    });
  }

  it('an echoed prompt: the first token without context has a null logprob and an empty top map; the others have their top-k including themselves', async () => {
    const { json } = await postJson(`${s.base}/v1/completions`, { prompt: [[...'Servus'].map((c) => c.codePointAt(0)!)], max_tokens: 0, echo: true, logprobs: 2 });
    const lp = json.choices[0].logprobs;
    expect(lp.tokens).toEqual([...'Servus']);
    expect(lp.token_logprobs[0]).toBeNull();
    expect(lp.top_logprobs[0]).toEqual({});
    expect(lp.text_offset).toEqual([0, 1, 2, 3, 4, 5]);
    const own = s.model.charLogprobs('S', 'ervus');
    for (let i = 1; i < 6; i++) {
      expect(lp.token_logprobs[i]).toBeCloseTo(own[i - 1], 10);
      const top = lp.top_logprobs[i];
      expect(top[lp.tokens[i]]).toBe(lp.token_logprobs[i]);
      expect(Object.keys(top).length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(top).length).toBeLessThanOrEqual(3);
    }
    expect(json.choices[0].text).toBe('Servus');
    expect(json.usage).toEqual({ prompt_tokens: 6, completion_tokens: 0, total_tokens: 6 });
  });

  it('the top-k map is the model\'s true top-k (against scoring the whole vocabulary)', async () => {
    const prompt = 'Guten Tag! Hör mal, was machst';
    const { json } = await postJson(`${s.base}/v1/completions`, { prompt, max_tokens: 0, echo: true, logprobs: 5 });
    const lp = json.choices[0].logprobs;
    const vocab = [...new Set(Object.values(TRAIN).flat().join(''))];
    for (let i = 1; i < lp.tokens.length; i++) {
      const before = [...prompt].slice(0, i - 1).join('');
      const all = vocab.map((c) => [c, s.model.charLogprobs(before, c)[0]] as [string, number]).sort((a, b) => b[1] - a[1]);
      const top = Object.entries(lp.top_logprobs[i] as { [k: string]: number }).filter(([c]) => c !== lp.tokens[i] || all.slice(0, 5).some(([x]) => x === c));
      expect(top.map(([, v]) => v).sort((a, b) => b - a)[0]).toBeCloseTo(all[0][1], 10);
      expect(Math.min(...top.map(([, v]) => v))).toBeGreaterThanOrEqual(all[4][1] - 1e-12);
    }
  });

  it('echo with max_tokens ≥ 1 appends exactly the greedy generated tokens; without echo only those come back', async () => {
    const prompt = 'Servus, gemma';
    const a = (await postJson(`${s.base}/v1/completions`, { prompt, max_tokens: 3, echo: true, logprobs: 1, temperature: 0 })).json.choices[0];
    const b = (await postJson(`${s.base}/v1/completions`, { prompt, max_tokens: 3, logprobs: 1, temperature: 0 })).json.choices[0];
    expect(b.text.length).toBe(3);
    expect(a.text).toBe(prompt + b.text);
    expect(a.logprobs.tokens).toEqual(['<s>', ...prompt, ...b.text]);
    expect(b.logprobs.tokens).toEqual([...b.text]);
    expect(b.logprobs.text_offset).toEqual([0, 1, 2]);
    expect(a.logprobs.text_offset.slice(-3)).toEqual([prompt.length, prompt.length + 1, prompt.length + 2]);
    expect(a.logprobs.token_logprobs.slice(-3)).toEqual(b.logprobs.token_logprobs);
    // greedy: each generated character is the top of its map
    for (let i = 0; i < 3; i++) expect(b.logprobs.token_logprobs[i]).toBe(Math.max(...(Object.values(b.logprobs.top_logprobs[i]) as number[])));
    expect(a.finish_reason).toBe('length');
  });

  it('a list of prompts gets one choice per prompt with its index; id, created and usage are set', async () => {
    const prompts = ['Servus', 'Moin', 'Καλημέρα 🙂'];
    const { status, json } = await postJson(`${s.base}/v1/completions`, { model: 'baseline', prompt: prompts, max_tokens: 0, echo: true, logprobs: 0 });
    expect(status).toBe(200);
    expect(json.choices.map((c: { index: number; text: string }) => [c.index, c.text])).toEqual(prompts.map((p, i) => [i, p]));
    expect(json.id).toMatch(/^cmpl-/);
    expect(json.object).toBe('text_completion');
    expect(Math.abs(json.created - Date.now() / 1000)).toBeLessThan(60);
    const n = prompts.reduce((x, p) => x + [...p].length + 1, 0);
    expect(json.usage).toEqual({ prompt_tokens: n, completion_tokens: 0, total_tokens: n });
    // the emoji is one token, its offset counts UTF-16 units as the text does
    const lp = json.choices[2].logprobs;
    expect(lp.tokens.at(-1)).toBe('🙂');
    expect(lp.text_offset.at(-1)).toBe('Καλημέρα '.length);
  });

  it('token-id prompts are decoded with the server tokenizer; /tokenize and /detokenize round-trip', async () => {
    const text = 'Grüß Gott 🙂 Καλη';
    const t = await postJson(`${s.base}/tokenize`, { prompt: text });
    expect(t.json.tokens[0]).toBe(BOS_ID);
    expect(t.json.count).toBe(t.json.tokens.length);
    const d = await postJson(`${s.base}/detokenize`, { tokens: t.json.tokens });
    expect(d.json.prompt).toBe(text);
    const byIds = (await postJson(`${s.base}/v1/completions`, { prompt: t.json.tokens, max_tokens: 0, echo: true, logprobs: 1 })).json.choices[0];
    const byText = (await postJson(`${s.base}/v1/completions`, { prompt: text, max_tokens: 0, echo: true, logprobs: 1 })).json.choices[0];
    expect(byIds.text).toBe(text);
    expect(byIds.logprobs).toEqual(byText.logprobs);
  });

  it('bad requests are 400s (404 for an unknown model or route) in OpenAI\'s error shape', async () => {
    const bad: Array<[unknown, number, RegExp]> = [
      [{ prompt: [[72, -1]] }, 400, /token 1 is -1/],
      [{ prompt: [[72, 0xd800]] }, 400, /not a token id/],
      [{ prompt: [72, BOS_ID] }, 400, /may only come first/],
      [{ prompt: [72, EOS_ID] }, 400, /end token/],
      [{ prompt: [72, 1.5] }, 400, /not a token id/],
      [{ prompt: [] }, 400, /prompt/],
      [{ prompt: ['a', 3] }, 400, /mixes/],
      [{ prompt: 'a', max_tokens: -1 }, 400, /max_tokens/],
      [{ prompt: 'a', max_tokens: 4097 }, 400, /max_tokens.*4096/],
      [{ prompt: 'a', logprobs: 99 }, 400, /logprobs/],
      [{ prompt: 'a', n: 2 }, 400, /'n'/],
      [{ prompt: 'a', echo: 'yes' }, 400, /echo/],
      [{ prompt: 'a', model: 'gpt-9' }, 404, /gpt-9/],
    ];
    for (const [body, code, msg] of bad) {
      const r = await postJson(`${s.base}/v1/completions`, body);
      expect(r.status, JSON.stringify(body)).toBe(code);
      expect(Object.keys(r.json)).toEqual(['error']);
      expect(r.json.error.message, JSON.stringify(body)).toMatch(msg);
      expect(typeof r.json.error.type).toBe('string');
    }
    const nf = await postJson(`${s.base}/v1/nothing`, {});
    expect(nf.status).toBe(404);
    expect(nf.json.error.message).toMatch(/no route/);
    const nj = await fetch(`${s.base}/v1/completions`, { method: 'POST', body: '{' });
    expect(nj.status).toBe(400);
    expect(((await nj.json()) as { error: { message: string } }).error.message).toMatch(/not JSON/);
  });

  it("the project's own openai adapter over HTTP equals the model in process, empty contexts included", async () => {
    const m = new OpenAIModel(`${s.base}/v1`, 'baseline');
    const reqs = randomRequests(9, 30);
    const a = await m.loglikelihood(reqs);
    const b = await s.model.loglikelihood(reqs);
    a.forEach((x, i) => expect(Math.abs(x.logprob - b[i].logprob), JSON.stringify(reqs[i])).toBeLessThan(1e-9));
    const texts = Object.values(TRAIN).flat();
    const ra = await m.loglikelihoodRolling(texts);
    const rb = await s.model.loglikelihoodRolling(texts);
    ra.forEach((x, i) => expect(Math.abs(x - rb[i])).toBeLessThan(1e-9));
  });
});
