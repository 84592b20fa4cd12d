import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of a better-sqlite3 statement this project uses. */
export interface Statement {
  get(...a: unknown[]): unknown;
  all(...a: unknown[]): unknown[];
  run(...a: unknown[]): { changes: number };
}

/** The part of a better-sqlite3 database this project uses. */
export interface Db {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(s: string): unknown;
  transaction<F extends (...a: never[]) => unknown>(f: F): F;
  close(): void;
}

/**
 * The one SQLite opener (better-sqlite3): makes the file's folder, opens or creates the file,
 * and sets the journal mode and busy timeout asked for. A file opened without `wal` keeps the
 * journal mode it has (a copy being cleaned, say).
 */
export function openSqlite(file: string, o: { wal?: boolean; busyMs?: number } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const Database = require('better-sqlite3') as new (f: string) => Db;
  const db = new Database(file);
  if (o.wal) db.pragma('journal_mode = WAL');
  if (o.busyMs !== undefined) db.pragma(`busy_timeout = ${o.busyMs}`);
  return db;
}
