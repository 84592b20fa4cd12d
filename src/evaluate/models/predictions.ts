import fs from 'node:fs';
import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';
import { requestKey } from './cache.js';

/** One request a suite makes, as `vernacular eval requests` lists it: answer it by `key`. */
export interface ListedRequest {
  key: string;
  kind: 'loglikelihood' | 'generate';
  request: LoglikelihoodRequest | GenerateRequest;
}

/** The key a predictions file answers a request by: the content hash of the request (no model id). */
const predictionKey = (kind: ListedRequest['kind'], req: object) => requestKey('', kind, req);

/**
 * A model that answers nothing and notes every request `runSuite` makes (which requests a suite
 * makes does not depend on the answers). `chat`: a model without prompt log-probabilities, so
 * choice tasks are asked as forced choice and perplexity is left out.
 */
export class RequestRecorder implements Model {
  readonly id = 'requests';
  readonly promptLogprobs: boolean;
  readonly requests: ListedRequest[] = [];
  private readonly seen = new Set<string>();
  constructor(chat = false) {
    this.promptLogprobs = !chat;
  }
  private note(kind: ListedRequest['kind'], request: LoglikelihoodRequest | GenerateRequest): void {
    const key = predictionKey(kind, request);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.requests.push({ key, kind, request });
  }
  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    for (const r of reqs) this.note('loglikelihood', r);
    return reqs.map(() => ({ logprob: 0, greedy: false }));
  }
  async loglikelihoodRolling(texts: string[]) {
    for (const t of texts) this.note('loglikelihood', { context: '', continuation: t });
    return texts.map(() => 0);
  }
  async generate(reqs: GenerateRequest[]) {
    for (const r of reqs) this.note('generate', r);
    return reqs.map(() => '');
  }
}

/**
 * Precomputed answers: a JSONL file of `{"key": <request key>, "logprob": <number ≤ 0>}` or
 * `{"key": …, "text": <string>}` lines, where the key is the one `vernacular eval requests` lists
 * for the request (sha256 of the request). A request without an answer, an answer of the wrong
 * kind, a log-probability that is not a finite number ≤ 0, or one key answered twice differently
 * is an input error naming the file and line. `chat`: answers from a model without prompt
 * log-probabilities (`predictions:<file>?chat`), so choice tasks are read as forced choice.
 */
export class PredictionsModel implements Model {
  readonly id: string;
  readonly promptLogprobs: boolean;
  private readonly answers = new Map<string, { line: number; logprob?: number; text?: string }>();

  constructor(
    readonly file: string,
    chat = false,
  ) {
    this.id = `predictions:${file}${chat ? '?chat' : ''}`;
    this.promptLogprobs = !chat;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError(`predictions file ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      const at = `${file}:${i + 1}`;
      let j: unknown;
      try {
        j = JSON.parse(l);
      } catch {
        throw new InputError(`${at}: not JSON`);
      }
      if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new InputError(`${at}: expected an object {"key", "logprob" or "text"}`);
      const { key, logprob, text: t } = j as { key?: unknown; logprob?: unknown; text?: unknown };
      if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) throw new InputError(`${at}: "key" must be a request key (64 hex digits, from \`vernacular eval requests\`)`);
      if (logprob !== undefined && (typeof logprob !== 'number' || !Number.isFinite(logprob) || logprob > 0)) throw new InputError(`${at}: "logprob" must be a finite number ≤ 0 (a natural log-probability), got ${JSON.stringify(logprob)}`);
      if (t !== undefined && typeof t !== 'string') throw new InputError(`${at}: "text" must be a string, got ${JSON.stringify(t)}`);
      if (logprob === undefined && t === undefined) throw new InputError(`${at}: neither "logprob" nor "text"`);
      const prev = this.answers.get(key);
      if (prev && (prev.logprob !== logprob || prev.text !== t)) throw new InputError(`${at}: key ${key} is answered differently on line ${prev.line}`);
      this.answers.set(key, { line: i + 1, logprob: logprob as number | undefined, text: t as string | undefined });
    });
  }

  private get(kind: ListedRequest['kind'], req: object): { line: number; logprob?: number; text?: string } {
    const key = predictionKey(kind, req);
    const a = this.answers.get(key);
    if (!a) throw new InputError(`${this.file}: no prediction for ${kind} request ${key} (list the requests with \`vernacular eval requests\`)`);
    return a;
  }

  private logprob(req: LoglikelihoodRequest): number {
    const a = this.get('loglikelihood', req);
    if (a.logprob === undefined) throw new InputError(`${this.file}:${a.line}: a loglikelihood request needs "logprob"`);
    return a.logprob;
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return reqs.map((r) => ({ logprob: this.logprob(r), greedy: false }));
  }

  async loglikelihoodRolling(texts: string[]) {
    return texts.map((t) => this.logprob({ context: '', continuation: t }));
  }

  async generate(reqs: GenerateRequest[]) {
    return reqs.map((r) => {
      const a = this.get('generate', r);
      if (a.text === undefined) throw new InputError(`${this.file}:${a.line}: a generate request needs "text"`);
      return a.text;
    });
  }
}
