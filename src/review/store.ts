import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import { openSqlite, type Db } from '../io/sqlite.js';


export interface ReviewSample {
  id: string;
  locale: string;
  text: string;
  features: Array<{ feature: string; span: [number, number]; gloss: string; rule: string; confidence: number; category?: string }>;
}

export interface Judgment {
  sample_id: string;
  reviewer: string;
  question: 'locale' | 'colloquial' | 'feature';
  feature: string;
  value: string;
  note: string;
  created_at: string;
}

/** Allowed answers per question. */
export const ANSWERS: Readonly<{ [q: string]: readonly string[] }> = Object.freeze(Object.assign(Object.create(null) as { [q: string]: readonly string[] }, { locale: ['right', 'wrong'], colloquial: ['yes', 'no'], feature: ['correct', 'wrong'] }));

/** True when `q` is one of the questions (own keys only: `constructor`, `__proto__` and the like are not questions). */
const isQuestion = (q: unknown): q is Judgment['question'] => typeof q === 'string' && Object.hasOwn(ANSWERS, q);

const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/**
 * Review state in SQLite (better-sqlite3, WAL, busy timeout): samples, reviewers (only a hash
 * of each token is stored) and judgments. A judgment is keyed by (sample, reviewer, question,
 * feature): answering again replaces it, and every write is kept in a log so `undo` can step back.
 */
export class ReviewStore {
  private constructor(private readonly db: Db) {}

  static open(file: string): ReviewStore {
    const db = openSqlite(file, { wal: true, busyMs: 5000 });
    db.exec(`
      CREATE TABLE IF NOT EXISTS samples (id TEXT PRIMARY KEY, locale TEXT NOT NULL, text TEXT NOT NULL, features TEXT NOT NULL, ord INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reviewers (name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS judgments (sample_id TEXT NOT NULL, reviewer TEXT NOT NULL, question TEXT NOT NULL, feature TEXT NOT NULL DEFAULT '',
        value TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, PRIMARY KEY (sample_id, reviewer, question, feature));
      CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, reviewer TEXT NOT NULL, sample_id TEXT NOT NULL, question TEXT NOT NULL, feature TEXT NOT NULL, previous TEXT);
    `);
    return new ReviewStore(db);
  }

  close(): void {
    this.db.close();
  }

  addSamples(samples: ReviewSample[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO samples (id, locale, text, features, ord) VALUES (?, ?, ?, ?, ?)');
    const base = (this.db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n;
    this.db.transaction(() => samples.forEach((s, i) => ins.run(s.id, s.locale, s.text, JSON.stringify(s.features), base + i)))();
  }

  samples(locale?: string): ReviewSample[] {
    const rows = (locale ? this.db.prepare('SELECT * FROM samples WHERE locale = ? ORDER BY ord').all(locale) : this.db.prepare('SELECT * FROM samples ORDER BY ord').all()) as Array<{ id: string; locale: string; text: string; features: string }>;
    return rows.map((r) => ({ id: r.id, locale: r.locale, text: r.text, features: JSON.parse(r.features) }));
  }

  sample(id: string): ReviewSample | undefined {
    const r = this.db.prepare('SELECT * FROM samples WHERE id = ?').get(id) as { id: string; locale: string; text: string; features: string } | undefined;
    return r && { id: r.id, locale: r.locale, text: r.text, features: JSON.parse(r.features) };
  }

  /** Register a reviewer; returns the token (shown once; only its hash is stored). */
  addReviewer(name: string): string {
    if (!/^[\p{L}\p{N}_.-]{1,40}$/u.test(name)) throw new InputError(`reviewer name '${name}' must be 1–40 letters, digits, _ . -`);
    const token = randomBytes(24).toString('base64url');
    try {
      this.db.prepare('INSERT INTO reviewers (name, token_hash, created_at) VALUES (?, ?, ?)').run(name, hashToken(token), new Date().toISOString());
    } catch {
      throw new InputError(`reviewer '${name}' already exists`);
    }
    return token;
  }

  reviewerForToken(token: string): string | undefined {
    return (this.db.prepare('SELECT name FROM reviewers WHERE token_hash = ?').get(hashToken(token)) as { name: string } | undefined)?.name;
  }

  /** Validate and store one judgment (replacing an earlier answer to the same question). */
  judge(j: Omit<Judgment, 'created_at'> & { created_at?: string }): Judgment {
    const s = this.sample(j.sample_id);
    if (!s) throw new InputError(`unknown sample ${j.sample_id}`);
    if (!isQuestion(j.question)) throw new InputError(`question must be locale, colloquial or feature (got ${String(j.question)})`);
    if (typeof j.value !== 'string' || !ANSWERS[j.question].includes(j.value)) throw new InputError(`${j.question}: value must be ${ANSWERS[j.question].join(' or ')} (got ${j.value})`);
    const feature = j.question === 'feature' ? j.feature : '';
    if (j.question === 'feature' && !s.features.some((f) => f.feature === feature)) throw new InputError(`sample ${j.sample_id} has no feature ${feature}`);
    const row: Judgment = { sample_id: j.sample_id, reviewer: j.reviewer, question: j.question, feature, value: j.value, note: (j.note ?? '').slice(0, 2000), created_at: j.created_at ?? new Date().toISOString() };
    this.db.transaction(() => {
      const prev = this.db.prepare('SELECT * FROM judgments WHERE sample_id = ? AND reviewer = ? AND question = ? AND feature = ?').get(row.sample_id, row.reviewer, row.question, row.feature);
      this.db.prepare('INSERT INTO log (reviewer, sample_id, question, feature, previous) VALUES (?, ?, ?, ?, ?)').run(row.reviewer, row.sample_id, row.question, row.feature, prev ? JSON.stringify(prev) : null);
      this.db.prepare('INSERT OR REPLACE INTO judgments (sample_id, reviewer, question, feature, value, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(row.sample_id, row.reviewer, row.question, row.feature, row.value, row.note, row.created_at);
    })();
    return row;
  }

  /** Undo a reviewer's last judgment (restoring what it replaced, if anything). */
  undo(reviewer: string): { sample_id: string; question: string; feature: string } | undefined {
    let out: { sample_id: string; question: string; feature: string } | undefined;
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT * FROM log WHERE reviewer = ? ORDER BY seq DESC LIMIT 1').get(reviewer) as { seq: number; sample_id: string; question: string; feature: string; previous: string | null } | undefined;
      if (!last) return;
      this.db.prepare('DELETE FROM judgments WHERE sample_id = ? AND reviewer = ? AND question = ? AND feature = ?').run(last.sample_id, reviewer, last.question, last.feature);
      if (last.previous) {
        const p = JSON.parse(last.previous) as Judgment;
        this.db.prepare('INSERT INTO judgments (sample_id, reviewer, question, feature, value, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(p.sample_id, p.reviewer, p.question, p.feature, p.value, p.note, p.created_at);
      }
      this.db.prepare('DELETE FROM log WHERE seq = ?').run(last.seq);
      out = { sample_id: last.sample_id, question: last.question, feature: last.feature };
    })();
    return out;
  }

  judgments(reviewer?: string): Judgment[] {
    return (reviewer
      ? this.db.prepare('SELECT * FROM judgments WHERE reviewer = ? ORDER BY sample_id, question, feature').all(reviewer)
      : this.db.prepare('SELECT * FROM judgments ORDER BY sample_id, reviewer, question, feature').all()) as Judgment[];
  }
}
