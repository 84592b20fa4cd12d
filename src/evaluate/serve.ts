import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { NgramModel } from './models/ngram.js';

/**
 * The server's tokenizer: one token per Unicode code point, the token id is the code point; the
 * start token `<s>` is id 0x110000 and the end token `</s>` id 0x110001 (past Unicode, and not 0,
 * which Python clients read as "no id"). `<s>` decodes to nothing: what follows it is scored from
 * an empty history, as the model does in process. A text prompt to /v1/completions is tokenised
 * with `<s>` in front, as vLLM does for a model whose tokenizer adds a start token (its text is
 * taken literally); a token-id prompt is taken as sent. /tokenize reads `<s>` and `</s>` in the
 * text as the special tokens, as Hugging Face tokenizers do.
 */
export const BOS_ID = 0x110000;
export const EOS_ID = 0x110001;
const BOS = '<s>';
/** The most characters one request may generate (greedy generation scores every step). */
const MAX_NEW_TOKENS = 4096;
const EOS = '</s>';

export function tokenize(text: string, addSpecial = true): number[] {
  const ids: number[] = addSpecial ? [BOS_ID] : [];
  for (const part of text.split(/(<\/?s>)/)) {
    if (part === BOS) ids.push(BOS_ID);
    else if (part === EOS) ids.push(EOS_ID);
    else for (const c of part) ids.push(c.codePointAt(0)!);
  }
  return ids;
}

/** Token strings and the decoded text of a token-id prompt; a bad id is an ApiError (400). */
export function detokenize(ids: unknown[], param = 'prompt', specialAnywhere = false): { tokens: string[]; text: string } {
  const tokens = ids.map((id, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > EOS_ID || (id >= 0xd800 && id <= 0xdfff)) throw new ApiError(400, `${param}: token ${i} is ${JSON.stringify(id)}, not a token id of this server (Unicode code points, ${BOS} = ${BOS_ID}, ${EOS} = ${EOS_ID})`, param);
    if (!specialAnywhere && id === BOS_ID && i > 0) throw new ApiError(400, `${param}: the start token ${BOS} (${BOS_ID}) may only come first (found at position ${i})`, param);
    if (!specialAnywhere && id === EOS_ID) throw new ApiError(400, `${param}: the end token ${EOS} (${EOS_ID}) cannot be scored in a prompt (position ${i})`, param);
    return id === BOS_ID ? BOS : id === EOS_ID ? EOS : String.fromCodePoint(id);
  });
  return { tokens, text: tokens.filter((t, i) => !((ids[i] === BOS_ID || ids[i] === EOS_ID) && (t === BOS || t === EOS))).join('') };
}

/** An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type = status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
  }
  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status === 404 && this.param === 'model' ? 'model_not_found' : null } };
  }
}

interface Prompt {
  /** token strings, one per token of the prompt */
  tokens: string[];
  /** the text the tokens decode to */
  text: string;
  /** whether tokens[0] is the start token */
  bos: boolean;
}

/** A completions `prompt`: a string, a list of strings, a list of token ids, or a list of such lists. */
function parsePrompts(p: unknown): Prompt[] {
  const fromText = (s: string): Prompt => ({ tokens: [BOS, ...Array.from(s)], text: s, bos: true });
  const fromIds = (ids: unknown[], param: string): Prompt => {
    if (!ids.length) throw new ApiError(400, `${param}: an empty token list`, 'prompt');
    const d = detokenize(ids, param);
    return { ...d, bos: ids[0] === BOS_ID };
  };
  if (typeof p === 'string') return [fromText(p)];
  if (!Array.isArray(p) || !p.length) throw new ApiError(400, "'prompt' must be a string, a list of strings, a list of token ids or a list of token-id lists (and not empty)", 'prompt');
  if (p.every((x) => typeof x === 'string')) return p.map(fromText);
  if (p.every((x) => typeof x === 'number')) return [fromIds(p, 'prompt')];
  if (p.every((x) => Array.isArray(x))) return p.map((x, i) => fromIds(x as unknown[], `prompt[${i}]`));
  throw new ApiError(400, "'prompt' mixes strings, token ids and lists; send one kind", 'prompt');
}

interface CompletionBody {
  model?: unknown;
  prompt?: unknown;
  max_tokens?: unknown;
  echo?: unknown;
  logprobs?: unknown;
  temperature?: unknown;
  stop?: unknown;
  n?: unknown;
  stream?: unknown;
  messages?: unknown;
}

const intIn = (v: unknown, name: string, lo: number, hi: number, dflt: number | null): number | null => {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ApiError(400, `'${name}' must be an integer from ${lo} to ${hi} (got ${JSON.stringify(v)})`, name);
  return v;
};

function stopsOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const xs = Array.isArray(v) ? v : [v];
  if (!xs.every((x) => typeof x === 'string')) throw new ApiError(400, "'stop' must be a string or a list of strings", 'stop');
  return (xs as string[]).filter((x) => x.length);
}

/** An OpenAI `logprobs` object: per token its string, log-probability (null without context), top-k map and text offset. */
interface Scored {
  tokens: string[];
  token_logprobs: Array<number | null>;
  top_logprobs: Array<{ [tok: string]: number }>;
  text_offset: number[];
}

/**
 * Serve the n-gram baseline as an OpenAI-compatible API on loopback, following the completions
 * contract as vLLM implements it: `GET /v1/models`; `POST /v1/completions` with a string, a list of
 * strings, token ids or a list of token-id lists (one choice per prompt, with its `index`); `echo`
 * returns the prompt's tokens with their log-probabilities (the first token has none) followed by
 * the generated ones (so lm-eval's echo + max_tokens 1 drops exactly the generated token); `logprobs`
 * carries `tokens`, `token_logprobs`, `top_logprobs` (a map per token, never null) and `text_offset`;
 * temperature 0 is greedy; `POST /v1/chat/completions`; `POST /tokenize` and `/detokenize` (vLLM's).
 * Errors come in OpenAI's error shape.
 */
export function serveModel(model: NgramModel, o: { host: string; port: number; name?: string }): Promise<http.Server> {
  const name = o.name ?? 'baseline';

  /** Greedy (temperature 0) or the model's seeded sampling, up to max characters or a stop string. */
  const generate = async (prompt: string, max: number, stop: string[], temperature: number): Promise<{ text: string; finish: 'stop' | 'length' }> => {
    if (max <= 0) return { text: '', finish: 'length' };
    if (temperature > 0) {
      const text = (await model.generate([{ context: prompt, until: stop, maxTokens: max }]))[0];
      return { text, finish: Array.from(text).length < max ? 'stop' : 'length' };
    }
    let out = '';
    for (let i = 0; i < max; i++) {
      const [best] = model.topNext(prompt, prompt + out, 1);
      if (!best) break;
      out += best[0];
      const hit = stop.find((s) => out.endsWith(s));
      if (hit) return { text: out.slice(0, out.length - hit.length), finish: 'stop' };
    }
    return { text: out, finish: 'length' };
  };

  const completions = async (j: CompletionBody) => {
    const prompts = parsePrompts(j.prompt);
    const max = intIn(j.max_tokens, 'max_tokens', 0, MAX_NEW_TOKENS, 16)!;
    const k = intIn(j.logprobs, 'logprobs', 0, 20, null);
    const echo = j.echo === undefined || j.echo === null ? false : j.echo;
    if (typeof echo !== 'boolean') throw new ApiError(400, "'echo' must be true or false", 'echo');
    const temperature = j.temperature === undefined || j.temperature === null ? 1 : j.temperature;
    if (typeof temperature !== 'number' || temperature < 0) throw new ApiError(400, "'temperature' must be a number ≥ 0", 'temperature');
    const stop = stopsOf(j.stop);
    let promptTokens = 0;
    let completionTokens = 0;
    const choices = [];
    for (const [index, p] of prompts.entries()) {
      const gen = await generate(p.text, max, stop, temperature);
      const genChars = Array.from(gen.text);
      promptTokens += p.tokens.length;
      completionTokens += genChars.length;
      let logprobs: Scored | null = null;
      if (k !== null) {
        // the whole text, scored once: per-character log-probabilities with the history from its start
        const full = p.text + gen.text;
        const fullChars = Array.from(full);
        const lps = model.textLogprobs(full, full);
        const promptChars = Array.from(p.text);
        const lp: Scored = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
        let off = 0;
        let ci = 0; // character index into `full`
        const add = (tok: string, hasLp: boolean) => {
          lp.tokens.push(tok);
          lp.text_offset.push(off);
          if (!hasLp) {
            lp.token_logprobs.push(null);
            lp.top_logprobs.push({});
            return;
          }
          const v = lps[ci];
          lp.token_logprobs.push(v);
          const before = fullChars.slice(Math.max(0, ci - 64), ci).join('');
          const top: { [t: string]: number } = {};
          for (const [c, x] of model.topNext(full, before, k)) top[c] = x;
          top[tok] = v;
          lp.top_logprobs.push(top);
        };
        if (echo) {
          p.tokens.forEach((t, i) => {
            if (p.bos && i === 0) return add(t, false);
            add(t, i > 0); // the first token of a prompt without <s> has no context
            off += t.length;
            ci++;
          });
        } else {
          off = 0;
          ci = promptChars.length;
        }
        for (const c of genChars) {
          add(c, true);
          off += c.length;
          ci++;
        }
        logprobs = lp;
      }
      choices.push({ index, text: echo ? p.text + gen.text : gen.text, logprobs, finish_reason: gen.finish });
    }
    return { id: `cmpl-${randomBytes(12).toString('hex')}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: name, choices, usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
  };

  const chat = async (j: CompletionBody) => {
    if (!Array.isArray(j.messages) || !j.messages.length) throw new ApiError(400, "'messages' must be a non-empty list of {role, content}", 'messages');
    const msgs = j.messages.map((m, i) => {
      const mm = m as { role?: unknown; content?: unknown };
      if (!mm || typeof mm.role !== 'string' || !['system', 'user', 'assistant'].includes(mm.role)) throw new ApiError(400, `messages[${i}].role must be system, user or assistant`, 'messages');
      if (typeof mm.content !== 'string') throw new ApiError(400, `messages[${i}].content must be a string`, 'messages');
      return { role: mm.role, content: mm.content };
    });
    const max = intIn(j.max_tokens, 'max_tokens', 1, MAX_NEW_TOKENS, 80)!;
    const temperature = j.temperature === undefined || j.temperature === null ? 1 : j.temperature;
    if (typeof temperature !== 'number' || temperature < 0) throw new ApiError(400, "'temperature' must be a number ≥ 0", 'temperature');
    const stop = stopsOf(j.stop);
    // the chat template: the messages' contents one per line, then the answer (the baseline is no chat model)
    const prompt = msgs.map((m) => m.content).join('\n') + '\n';
    const gen = await generate(prompt, max, stop.length ? stop : ['\n'], temperature);
    const promptTokens = tokenize(prompt).length;
    const completionTokens = Array.from(gen.text).length;
    return {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: name,
      choices: [{ index: 0, message: { role: 'assistant', content: gen.text }, logprobs: null, finish_reason: gen.finish }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  };

  const server = http.createServer(async (req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) return send(200, { object: 'list', data: [{ id: name, object: 'model', created: 0, owned_by: 'vernacular' }] });
      if (req.method === 'GET' && url === '/health') return send(200, {});
      if (req.method === 'GET' && url === '/tokenizer_info') return send(200, { tokenizer_class: 'vernacular-codepoints', bos_token: BOS, eos_token: EOS, pad_token: null, unk_token: null, model_max_length: 1 << 20, chat_template: null });
      const routes = ['/v1/completions', '/v1/chat/completions', '/tokenize', '/detokenize'];
      if (!routes.includes(url)) throw new ApiError(404, `no route ${req.method} ${url} (this server has GET /v1/models, POST ${routes.join(', ')})`);
      if (req.method !== 'POST') throw new ApiError(405, `${url} takes POST`);
      let body = '';
      for await (const c of req) body += c;
      let j: CompletionBody & { tokens?: unknown; add_special_tokens?: unknown };
      try {
        j = JSON.parse(body);
      } catch {
        throw new ApiError(400, 'the request body is not JSON');
      }
      if (!j || typeof j !== 'object' || Array.isArray(j)) throw new ApiError(400, 'the request body must be a JSON object');
      if (j.model !== undefined && j.model !== name) throw new ApiError(404, `The model \`${String(j.model)}\` does not exist (this server has \`${name}\`).`, 'model');
      if (j.stream) throw new ApiError(400, 'streaming is not supported by this server', 'stream');
      if (j.n !== undefined && j.n !== null && j.n !== 1) throw new ApiError(400, "'n' must be 1 on this server", 'n');
      if (url === '/v1/completions') return send(200, await completions(j));
      if (url === '/v1/chat/completions') return send(200, await chat(j));
      if (url === '/tokenize') {
        if (typeof j.prompt !== 'string') throw new ApiError(400, "'prompt' must be a string", 'prompt');
        const tokens = tokenize(j.prompt, j.add_special_tokens !== false);
        return send(200, { count: tokens.length, max_model_len: 1 << 20, tokens });
      }
      if (!Array.isArray(j.tokens)) throw new ApiError(400, "'tokens' must be a list of token ids", 'tokens');
      return send(200, { prompt: detokenize(j.tokens, 'tokens', true).text });
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, e.body());
      return send(500, new ApiError(500, (e as Error).message).body());
    }
  });
  // longer than clients keep idle connections, so a reused socket is not closed under a request
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
