import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';

/** Errors from a model server: they name the URL and what was tried. */
export class ModelServerError extends InputError {}

export interface OpenAIOptions {
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** base delay of the exponential backoff */
  backoffMs?: number;
  apiKey?: string;
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
 * with exponential backoff on network errors, 429 and 5xx.
 */
export class OpenAIModel implements Model {
  readonly id: string;
  private readonly o: Required<OpenAIOptions>;
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

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.o.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async post(path: string, body: unknown): Promise<{ choices: CompletionChoice[] }> {
    const url = this.baseUrl.replace(/\/+$/, '') + path;
    let last = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt) {
        this.retried++;
        await new Promise((r) => setTimeout(r, this.o.backoffMs * 2 ** (attempt - 1)));
      }
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
        last = `network error (${cause})`;
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        last = `HTTP ${res.status}`;
        await res.body?.cancel();
        continue;
      }
      const text = await res.text();
      if (!res.ok) throw new ModelServerError(`model server ${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      try {
        const j = JSON.parse(text);
        if (!Array.isArray(j.choices) || !j.choices.length) throw new Error('no choices');
        return j;
      } catch (e) {
        throw new ModelServerError(`model server ${url} sent a malformed response (${(e as Error).message}): ${text.slice(0, 200)}`);
      }
    }
    throw new ModelServerError(`model server ${url} unreachable after ${this.o.retries + 1} attempts (last: ${last}); is it running? (model ${this.model})`);
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return Promise.all(
      reqs.map((r) =>
        this.slot(async () => {
          const j = await this.post('/completions', { model: this.model, prompt: r.context + r.continuation, max_tokens: 0, echo: true, logprobs: 1, temperature: 0 });
          const lp = j.choices[0].logprobs;
          if (!lp || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset)) throw new ModelServerError(`model server ${this.baseUrl} returned no echo logprobs (does it support echo with logprobs on /completions?)`);
          let s = 0;
          for (let i = 0; i < lp.tokens.length; i++) if (lp.text_offset[i] >= r.context.length && lp.token_logprobs[i] !== null) s += lp.token_logprobs[i]!;
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
