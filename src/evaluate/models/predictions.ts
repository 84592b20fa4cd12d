import fs from 'node:fs';
import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';
import { requestKey } from './cache.js';

/**
 * Precomputed answers: a JSONL file of `{"key": <request key>, "logprob": …}` or
 * `{"key": …, "text": …}` lines, where the key is `vernacular eval requests` output's key
 * (sha256 of the request). A request without an answer is an error naming it.
 */
export class PredictionsModel implements Model {
  readonly id: string;
  private readonly answers = new Map<string, { logprob?: number; text?: string }>();

  constructor(readonly file: string) {
    this.id = `predictions:${file}`;
    if (!fs.existsSync(file)) throw new InputError(`predictions file not found: ${file}`);
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((l, i) => {
        if (!l.trim()) return;
        let j: { key?: string; logprob?: number; text?: string };
        try {
          j = JSON.parse(l);
        } catch {
          throw new InputError(`${file}:${i + 1}: not JSON`);
        }
        if (typeof j.key !== 'string') throw new InputError(`${file}:${i + 1}: missing "key"`);
        this.answers.set(j.key, j);
      });
  }

  private get(kind: string, req: object): { logprob?: number; text?: string } {
    const key = requestKey('', kind, req);
    const a = this.answers.get(key);
    if (!a) throw new InputError(`${this.file}: no prediction for ${kind} request ${key}`);
    return a;
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return reqs.map((r) => ({ logprob: Number(this.get('loglikelihood', r).logprob), greedy: false }));
  }

  async loglikelihoodRolling(texts: string[]) {
    return texts.map((t) => Number(this.get('loglikelihood', { context: '', continuation: t }).logprob));
  }

  async generate(reqs: GenerateRequest[]) {
    return reqs.map((r) => String(this.get('generate', r).text ?? ''));
  }
}
