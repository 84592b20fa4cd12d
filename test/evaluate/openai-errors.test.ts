import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIModel, serverMessage } from '../../src/evaluate/models/openai.js';

/** A scripted server: each request takes the next answer; it counts what it received. */
describe('OpenAI adapter: what a failing server said reaches the user', () => {
  let server: http.Server;
  let base: string;
  let received = 0;
  const script: Array<(res: http.ServerResponse) => void> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        (script.shift() ?? ((r) => r.writeHead(599).end('script ran out')))(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => server.close());
  const json = (code: number, body: unknown) => (r: http.ServerResponse) => r.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const model = () => new OpenAIModel(base, 'm', { backoffMs: 1, retries: 3 });

  // the error bodies of the servers people use, as they document them
  const bodies: Array<[string, number, unknown, string]> = [
    ['OpenAI', 400, { error: { message: "This model's maximum context length is 4097 tokens", type: 'invalid_request_error', param: 'prompt', code: null } }, "This model's maximum context length is 4097 tokens"],
    ['vLLM', 400, { object: 'error', message: 'echo is not supported with prompt embeds', type: 'BadRequestError', param: null, code: 400 }, 'echo is not supported with prompt embeds'],
    ['llama.cpp', 400, { error: { code: 400, message: 'Only no echo is supported', type: 'invalid_request_error' } }, 'Only no echo is supported'],
    ['Ollama', 404, { error: 'model "llama3" not found, try pulling it first' }, 'model "llama3" not found, try pulling it first'],
    ['FastAPI', 422, { detail: [{ loc: ['body', 'prompt'], msg: 'field required' }] }, 'field required'],
    ['a proxy', 500, 'upstream exploded', 'upstream exploded'],
  ];
  for (const [who, code, body, msg] of bodies) {
    it(`${who} HTTP ${code}: one attempt, the status and the server's message in the error`, async () => {
      received = 0;
      script.push(typeof body === 'string' ? (r) => r.writeHead(code).end(body) : json(code, body));
      const m = model();
      const err = await m.loglikelihood([{ context: 'a', continuation: 'b' }]).catch((e) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`HTTP ${code}`);
      expect((err as Error).message).toContain(msg);
      expect((err as Error).message).not.toMatch(/unreachable/);
      expect(received).toBe(1);
      expect(m.retried).toBe(0);
    });
  }

  it('a 503 that never passes: retried, then reported with its status and message, not as unreachable', async () => {
    received = 0;
    for (let i = 0; i < 4; i++) script.push(json(503, { error: { message: 'loading model' } }));
    const m = model();
    const err = (await m.generate([{ context: 'x', until: [], maxTokens: 2 }]).catch((e) => e)) as Error;
    expect(err.message).toMatch(/answered HTTP 503 after 4 attempts: loading model/);
    expect(received).toBe(4);
    expect(m.retried).toBe(3);
  });

  it('a 503 then an answer: the answer is used', async () => {
    script.push(json(503, { error: { message: 'busy' } }), json(200, { choices: [{ index: 0, text: 'hi' }] }));
    expect(await model().generate([{ context: 'x', until: [], maxTokens: 2 }])).toEqual(['hi']);
  });

  it('nothing listening: "unreachable", with the attempts', async () => {
    const m = new OpenAIModel('http://127.0.0.1:9/v1', 'm', { backoffMs: 1, retries: 1, timeoutMs: 2000 });
    await expect(m.generate([{ context: 'x', until: [], maxTokens: 1 }])).rejects.toThrow(/unreachable after 2 attempts \(last: network error/);
  });

  it('echo log-likelihood: the continuation from the context end to the prompt end; a token generated after the prompt is not counted', async () => {
    // "ab" + "cd": tokens <s>, a, b, c, d and one generated "e"
    script.push(json(200, { choices: [{ index: 0, text: 'abcde', logprobs: { tokens: ['<s>', 'a', 'b', 'c', 'd', 'e'], token_logprobs: [null, -1, -2, -3, -4, -100], top_logprobs: [{}, {}, {}, {}, {}, {}], text_offset: [0, 0, 1, 2, 3, 4] } }] }));
    const [r] = await model().loglikelihood([{ context: 'ab', continuation: 'cd' }]);
    expect(r.logprob).toBe(-7);
  });

  it('vLLM echo with a start token: its offsets count "<s>" though the text does not; the adapter aligns them', async () => {
    // the shape vLLM returns for a Llama tokenizer: "Servus" + " gemma", offsets cumulative over token strings
    script.push(json(200, { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'Servus gemma', logprobs: { tokens: ['<s>', 'Serv', 'us', ' gem', 'ma'], token_logprobs: [null, -5, -1, -3, -0.5], top_logprobs: [null, { Serv: -5 }, { us: -1 }, { ' gem': -3 }, { ma: -0.5 }], text_offset: [0, 3, 7, 9, 13] }, finish_reason: 'length', stop_reason: null, prompt_logprobs: null }], usage: { prompt_tokens: 5, total_tokens: 5, completion_tokens: 0 } }));
    const [r] = await model().loglikelihood([{ context: 'Servus', continuation: ' gemma' }]);
    expect(r.logprob).toBe(-3.5);
    // and the shape with offsets into the text (OpenAI, serve-model) is left as it is
    script.push(json(200, { choices: [{ index: 0, text: 'Servus gemma', logprobs: { tokens: ['<s>', 'Serv', 'us', ' gem', 'ma'], token_logprobs: [null, -5, -1, -3, -0.5], text_offset: [0, 0, 4, 6, 10] } }] }));
    const [r2] = await model().loglikelihood([{ context: 'Servus', continuation: ' gemma' }]);
    expect(r2.logprob).toBe(-3.5);
  });

  it('serverMessage reads every documented shape and falls back to the body', () => {
    for (const [, , body, msg] of bodies) expect(serverMessage(typeof body === 'string' ? body : JSON.stringify(body))).toContain(msg);
    expect(serverMessage('')).toBe('(empty body)');
    expect(serverMessage('{"x":1}')).toBe('{"x":1}');
  });
});
