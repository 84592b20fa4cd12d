import { createHash } from 'node:crypto';
import { openSqlite, type Db } from '../../io/sqlite.js';
import type { GenerateRequest, LoglikelihoodRequest, Model } from './types.js';

/** The content hash of a request: model id, kind, and the request's fields. */
export function requestKey(modelId: string, kind: string, req: object): string {
  return createHash('sha256').update(JSON.stringify([modelId, kind, req])).digest('hex');
}

/**
 * Every request cached by content hash in SQLite (WAL), so a re-run costs nothing and an
 * interrupted run resumes where it stopped. Answers are written as they arrive.
 */
export class CachedModel implements Model {
  readonly id: string;
  readonly promptLogprobs?: boolean;
  hits = 0;
  misses = 0;
  private constructor(
    private readonly inner: Model,
    private readonly db: Db,
  ) {
    this.id = inner.id;
    this.promptLogprobs = inner.promptLogprobs;
  }

  static async open(inner: Model, file: string): Promise<CachedModel> {
    const db = openSqlite(file, { wal: true });
    db.exec('CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    return new CachedModel(inner, db);
  }

  private async through<R, V>(kind: string, reqs: R[], run: (missing: R[]) => Promise<V[]>): Promise<V[]> {
    const get = this.db.prepare('SELECT value FROM cache WHERE key = ?');
    const put = this.db.prepare('INSERT OR REPLACE INTO cache (key, value) VALUES (?, ?)');
    const keys = reqs.map((r) => requestKey(this.inner.id, kind, r as object));
    const out: Array<V | undefined> = keys.map((k) => {
      const row = get.get(k) as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as V) : undefined;
    });
    const missingIdx = out.map((v, i) => (v === undefined ? i : -1)).filter((i) => i >= 0);
    this.hits += reqs.length - missingIdx.length;
    this.misses += missingIdx.length;
    // in chunks, so an interruption keeps what was answered
    for (let s = 0; s < missingIdx.length; s += 64) {
      const chunk = missingIdx.slice(s, s + 64);
      const got = await run(chunk.map((i) => reqs[i]));
      chunk.forEach((i, j) => {
        out[i] = got[j];
        put.run(keys[i], JSON.stringify(got[j]));
      });
    }
    return out as V[];
  }

  loglikelihood(reqs: LoglikelihoodRequest[]) {
    return this.through('loglikelihood', reqs, (m) => this.inner.loglikelihood(m));
  }

  loglikelihoodRolling(texts: string[]) {
    return this.through('rolling', texts.map((t) => ({ text: t })), (m) => this.inner.loglikelihoodRolling(m.map((x) => x.text)));
  }

  generate(reqs: GenerateRequest[]) {
    return this.through('generate', reqs, (m) => this.inner.generate(m));
  }

  async close() {
    await this.inner.close?.();
    this.db.close();
  }
}
