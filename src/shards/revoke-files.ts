import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { writeFileAtomic } from '../io/atomic.js';
import { openSqlite } from '../io/sqlite.js';

/** A shard doc's id without its upsampling suffix (`<pid>~<r>`): the doc pseudonym eval items and review samples name. */
export const baseDocId = (id: string) => id.split('~')[0];

/*
 * The files of a build that `revoke` cleans beside the shards (eval sets, eval-run samples, the
 * review export and store): each copied without the removed docs, or reported as unknown.
 */

/**
 * An eval set or eval-run samples file: every line an object naming the doc it came from
 * (`provenance.doc`). Lines of removed docs go. Anything else: null (revoke does not know it).
 */
export function revokeProvenanceJsonl(from: string, to: string, removedIds: Set<string>): { removed: number; kept: number } | null {
  const raw = fs.readFileSync(from, 'utf8');
  const lines = raw.split('\n').filter((l) => l.trim());
  const keep: string[] = [];
  for (const l of lines) {
    let v: { provenance?: { doc?: unknown } };
    try {
      v = JSON.parse(l);
    } catch {
      return null;
    }
    if (typeof v?.provenance?.doc !== 'string') return null;
    if (!removedIds.has(baseDocId(v.provenance.doc))) keep.push(l);
  }
  if (keep.length === lines.length) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  } else writeFileAtomic(to, keep.map((l) => l + '\n').join(''));
  return { removed: lines.length - keep.length, kept: keep.length };
}

/** A review CSV (`vernacular review export`, maybe filled in): rows of removed samples go. Another CSV: null. */
export function revokeReviewCsv(from: string, to: string, removedIds: Set<string>): { removed: number; kept: number } | null {
  const raw = fs.readFileSync(from, 'utf8');
  const bom = raw.startsWith('\uFEFF');
  const p = Papa.parse<string[]>(bom ? raw.slice(1) : raw, { skipEmptyLines: 'greedy' });
  const [head, ...rows] = p.data;
  if (p.errors.length || !head || head[0] !== 'sample_id' || !head.includes('text')) return null;
  const unq = (v: string) => v.trim().replace(/^'(?=[=+\-@])/, '');
  const keep = rows.filter((r) => !removedIds.has(baseDocId(unq(r[0] ?? ''))));
  if (keep.length === rows.length) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  } else writeFileAtomic(to, (bom ? '\uFEFF' : '') + Papa.unparse({ fields: head, data: keep }, { newline: '\r\n', quotes: true }) + '\r\n');
  return { removed: rows.length - keep.length, kept: keep.length };
}

/**
 * A SQLite file, copied (with its WAL) and cleaned in the copy: a review store loses the removed
 * samples, their judgments and log entries, then is vacuumed so no freed page keeps their text.
 * A request cache is reported as such (left out), anything else as unknown (left out).
 */
export function revokeSqlite(from: string, to: string, removedIds: Set<string>): { removed: number; kept: number } | 'cache' | 'unknown' {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.revoke-tmp`;
  fs.copyFileSync(from, tmp);
  for (const side of ['-wal', '-shm']) if (fs.existsSync(from + side)) fs.copyFileSync(from + side, tmp + side);
  const db = openSqlite(tmp);
  let result: { removed: number; kept: number } | 'cache' | 'unknown' = 'unknown';
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    if (tables.has('samples') && tables.has('judgments')) {
      db.pragma('secure_delete = ON');
      const ids = (db.prepare('SELECT id FROM samples').all() as Array<{ id: string }>).map((r) => r.id);
      const gone = ids.filter((id) => removedIds.has(baseDocId(id)));
      for (const id of gone) {
        db.prepare('DELETE FROM samples WHERE id = ?').run(id);
        db.prepare('DELETE FROM judgments WHERE sample_id = ?').run(id);
        if (tables.has('log')) db.prepare('DELETE FROM log WHERE sample_id = ?').run(id);
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma('journal_mode = DELETE');
      db.exec('VACUUM');
      result = { removed: gone.length, kept: ids.length - gone.length };
    } else if (tables.has('cache')) result = 'cache';
  } finally {
    db.close();
  }
  if (typeof result === 'object') fs.renameSync(tmp, to);
  for (const f of [tmp, tmp + '-wal', tmp + '-shm']) fs.rmSync(f, { force: true });
  return result;
}
