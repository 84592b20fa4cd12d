import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';

/** Errors from a model server: they name the URL, what was tried and, when it answered, its status and message. */
class ModelServerError extends InputError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Statuses worth another try: rate limits and a gateway or server that is (re)starting. */
const RETRIED = new Set([429, 502, 503, 504]);

/**
 * The message of an error body, in the shapes servers send: OpenAI and llama.cpp
 * `{"error": {"message"}}`, vLLM `{"object": "error", "message"}`, Ollama `{"error": "…"}`,
 * FastAPI `{"detail": …}`; otherwise the start of the body.
 */
export function serverMessage(body: string): string {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 300) || '(empty body)';
  }
  const o = j as { error?: unknown; message?: unknown; detail?: unknown };
  if (o && typeof o === 'object') {
    if (typeof o.error === 'string') return o.error;
    if (o.error && typeof o.error === 'object' && typeof (o.error as { message?: unknown }).message === 'string') return (o.error as { message: string }).message;
    if (typeof o.message === 'string') return o.message;
    if (o.detail !== undefined) return typeof o.detail === 'string' ? o.detail : JSON.stringify(o.detail).slice(0, 300);
  }
  return body.slice(0, 300);
}

export interface OpenAIOptions {
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** base delay of the exponential backoff */
  backoffMs?: number;
  apiKey?: string;
}

/**
 * Text offsets that index into the prompt. vLLM counts the decoded start token (`<s>`,
 * `<|begin_of_text|>`) into the offsets although the echoed text does not hold it, so every offset
 * is off by its length; recognised when the first token has no logprob and the last prompt token
 * ends exactly that many characters past the prompt, and taken off.
 */
function alignOffsets(lp: { tokens: string[]; token_logprobs: Array<number | null>; text_offset: number[] }, promptLength: number): number[] {
  const n = lp.text_offset.length;
  if (!n || !Array.isArray(lp.tokens) || lp.tokens.length !== n) return lp.text_offset;
  const shift = lp.text_offset[n - 1] + lp.tokens[n - 1].length - promptLength;
  if (shift > 0 && lp.token_logprobs[0] === null && lp.tokens[0].length === shift && lp.text_offset[0] === 0) return lp.text_offset.map((o, i) => (i === 0 ? 0 : o - shift));
  return lp.text_offset;
}

interface CompletionChoice {
  text: string;
  logprobs?: { tokens: string[]; token_logprobs: Array<number | null>; text_offset: number[] };
}

/**
 * Any OpenAI-compatible server (vLLM, llama.cpp, Ollama, `vernacular serve-model`):
 * loglikelihood through /completions with `echo` + `logprobs` and `max_tokens: 0` (the
 * log-probabilities of the prompt's own tokens; those starting at or after the context's end
 * are summed), generation through /completions. The key comes from OPENAI_API_KEY (or
 * VERNACULAR_OPENAI_API_KEY); requests run with a concurrency limit, a timeout, and retries
 * with exponential backoff on network errors, 429, 502, 503 and 504 only; any other error status
 * reaches the user with the server's message.
 */
export class OpenAIModel implements Model {
  readonly id: string;
  protected readonly o: Required<OpenAIOptions>;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** retried failures, for the run's report */
  retried = 0;

  constructor(
    readonly baseUrl: string,
    readonly model: string,
    opts: OpenAIOptions = {},
  ) {
    this.id = `openai:${baseUrl}#${model}`;
    this.o = {
      concurrency: opts.concurrency ?? 8,
      timeoutMs: opts.timeoutMs ?? 60_000,
      retries: opts.retries ?? 4,
      backoffMs: opts.backoffMs ?? 500,
      apiKey: opts.apiKey ?? process.env.VERNACULAR_OPENAI_API_KEY ?? process.env.OPENAI_API_KEY ?? '',
    };
  }

  protected async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.o.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /**
   * POST with retries on what may pass: no answer at all (network error, timeout), 429, 502, 503
   * and 504 (with exponential backoff, honouring Retry-After). Any other status fails at once with
   * the server's own message; "unreachable" is said only when no attempt got an answer.
   */
  protected async post(path: string, body: unknown): Promise<{ choices: CompletionChoice[] }> {
    const url = this.baseUrl.replace(/\/+$/, '') + path;
    let lastNetwork = '';
    let lastAnswer: { status: number; message: string } | undefined;
    let wait = 0;
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt) {
        this.retried++;
        await new Promise((r) => setTimeout(r, Math.max(wait, this.o.backoffMs * 2 ** (attempt - 1))));
      }
      wait = 0;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
        lastNetwork = `network error (${cause})`;
        continue;
      }
      let text = '';
      try {
        text = await res.text();
      } catch (e) {
        lastNetwork = `the answer broke off (${(e as Error).name})`;
        continue;
      }
      if (!res.ok) {
        lastAnswer = { status: res.status, message: serverMessage(text) };
        if (RETRIED.has(res.status)) {
          const ra = Number(res.headers.get('retry-after'));
          if (Number.isFinite(ra) && ra > 0) wait = Math.min(ra, 60) * 1000;
          continue;
        }
        throw new ModelServerError(`model server ${url} answered HTTP ${res.status}: ${lastAnswer.message} (model ${this.model})`, res.status);
      }
      try {
        const j = JSON.parse(text);
        if (!Array.isArray(j.choices) || !j.choices.length) throw new Error('no choices');
        return j;
      } catch (e) {
        throw new ModelServerError(`model server ${url} sent a malformed response (${(e as Error).message}): ${text.slice(0, 200)}`);
      }
    }
    if (lastAnswer) throw new ModelServerError(`model server ${url} answered HTTP ${lastAnswer.status} after ${this.o.retries + 1} attempts: ${lastAnswer.message} (model ${this.model})`, lastAnswer.status);
    throw new ModelServerError(`model server ${url} unreachable after ${this.o.retries + 1} attempts (last: ${lastNetwork}); is it running? (model ${this.model})`);
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return Promise.all(
      reqs.map((r) =>
        this.slot(async () => {
          const j = await this.post('/completions', { model: this.model, prompt: r.context + r.continuation, max_tokens: 0, echo: true, logprobs: 1, temperature: 0 });
          const lp = j.choices[0].logprobs;
          if (!lp || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset)) throw new ModelServerError(`model server ${this.baseUrl} returned no echo logprobs (does it support echo with logprobs on /completions?)`);
          if (lp.token_logprobs.length !== lp.text_offset.length) throw new ModelServerError(`model server ${this.baseUrl} sent ${lp.token_logprobs.length} token_logprobs but ${lp.text_offset.length} text_offset entries`);
          // the continuation's tokens: from the context's end to the prompt's end (a server that
          // generates a token despite max_tokens 0 appends it after the prompt: not counted)
          const end = r.context.length + r.continuation.length;
          const off = alignOffsets(lp, end);
          let s = 0;
          for (let i = 0; i < lp.token_logprobs.length; i++) if (off[i] >= r.context.length && off[i] < end && lp.token_logprobs[i] !== null) s += lp.token_logprobs[i]!;
          return { logprob: s, greedy: false };
        }),
      ),
    );
  }

  async loglikelihoodRolling(texts: string[]) {
    const r = await this.loglikelihood(texts.map((t) => ({ context: '', continuation: t })));
    return r.map((x) => x.logprob);
  }

  async generate(reqs: GenerateRequest[]) {
    return Promise.all(
      reqs.map((r) =>
        this.slot(async () => {
          const j = await this.post('/completions', { model: this.model, prompt: r.context, max_tokens: r.maxTokens, stop: r.until.length ? r.until : undefined, temperature: 0 });
          return String(j.choices[0].text ?? '');
        }),
      ),
    );
  }
}

interface ChatChoice {
  message?: { role?: string; content?: string | null; reasoning_content?: string | null };
  finish_reason?: string | null;
}

/**
 * A chat model behind any OpenAI-compatible `/chat/completions` (vLLM, llama.cpp's server, Ollama's
 * /v1, hosted APIs, `vernacular serve-model`): generation only, with the context as the user's
 * message, temperature 0. It gives no log-probabilities of a prompt, so choice tasks run as forced
 * choice in a prompt and perplexity is left out.
 */
export class OpenAIChatModel extends OpenAIModel {
  override readonly id: string;
  readonly promptLogprobs = false;

  constructor(baseUrl: string, model: string, opts: OpenAIOptions = {}) {
    super(baseUrl, model, opts);
    this.id = `openai-chat:${baseUrl}#${model}`;
  }

  override async loglikelihood(): Promise<Array<{ logprob: number; greedy: boolean }>> {
    throw new ModelServerError(`${this.id}: a chat model gives no log-probabilities of a prompt; choice tasks run in their forced-choice form, perplexity needs an openai: (completions with echo) model`);
  }

  override async loglikelihoodRolling(): Promise<number[]> {
    await this.loglikelihood();
    return [];
  }

  override async generate(reqs: GenerateRequest[]) {
    return Promise.all(
      reqs.map((r) =>
        this.slot(async () => {
          const j = (await this.post('/chat/completions', { model: this.model, messages: [{ role: 'user', content: r.context }], max_tokens: r.maxTokens, stop: r.until.length ? r.until : undefined, temperature: 0 })) as unknown as { choices: ChatChoice[] };
          const m = j.choices[0]?.message;
          if (!m || (typeof m.content !== 'string' && m.content !== null)) throw new ModelServerError(`model server ${this.baseUrl}/chat/completions answered without choices[0].message.content: ${JSON.stringify(j.choices[0]).slice(0, 200)}`);
          return m.content ?? '';
        }),
      ),
    );
  }
}
