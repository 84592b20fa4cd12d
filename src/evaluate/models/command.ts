import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';
import { InputError } from '../../errors.js';

/**
 * A process speaking JSONL on stdin/stdout: one request per line
 * `{"id": 1, "type": "loglikelihood", "context": "…", "continuation": "…"}` (or
 * `"type": "generate", "context", "until", "max_tokens"`), one answer per line
 * `{"id": 1, "logprob": -12.3}` / `{"id": 1, "text": "…"}`, in any order.
 */
export class CommandModel implements Model {
  readonly id: string;
  private child?: ChildProcessWithoutNullStreams;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: { logprob?: number; text?: string }) => void; reject: (e: Error) => void }>();

  constructor(readonly command: string) {
    this.id = `command:${command}`;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const fail = (why: string) => {
      for (const p of this.pending.values()) p.reject(new InputError(`model command \`${this.command}\` ${why}${stderr ? `; its stderr: ${stderr.trim()}` : ''}`));
      this.pending.clear();
    };
    child.on('error', (e) => fail(`could not start (${e.message})`));
    child.on('exit', (code) => fail(`exited (code ${code}) with ${this.pending.size} request(s) unanswered`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      let msg: { id?: number; logprob?: number; text?: string };
      try {
        msg = JSON.parse(line);
      } catch {
        return fail(`wrote a line that is not JSON: ${line.slice(0, 120)}`);
      }
      const p = this.pending.get(msg.id!);
      if (!p) return;
      this.pending.delete(msg.id!);
      p.resolve(msg);
    });
    this.child = child;
    return child;
  }

  private ask(req: object): Promise<{ logprob?: number; text?: string }> {
    const child = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin.write(JSON.stringify({ id, ...req }) + '\n');
    });
  }

  async loglikelihood(reqs: LoglikelihoodRequest[]) {
    return Promise.all(
      reqs.map(async (r) => {
        const a = await this.ask({ type: 'loglikelihood', context: r.context, continuation: r.continuation });
        if (typeof a.logprob !== 'number') throw new InputError(`model command \`${this.command}\` answered without a numeric "logprob"`);
        return { logprob: a.logprob, greedy: false };
      }),
    );
  }

  async loglikelihoodRolling(texts: string[]) {
    return (await this.loglikelihood(texts.map((t) => ({ context: '', continuation: t })))).map((x) => x.logprob);
  }

  async generate(reqs: GenerateRequest[]) {
    return Promise.all(
      reqs.map(async (r) => {
        const a = await this.ask({ type: 'generate', context: r.context, until: r.until, max_tokens: r.maxTokens });
        if (typeof a.text !== 'string') throw new InputError(`model command \`${this.command}\` answered without a "text"`);
        return a.text;
      }),
    );
  }

  async close() {
    this.child?.stdin.end();
    this.child?.kill();
  }
}
