import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { InputError } from '../errors.js';
import { formatOf, type InputFile } from '../io/inputs.js';
import { openRows } from '../io/open-rows.js';
import { isoFromMs, parseDateOrTimestamp } from '../dates.js';
import { keyedHash } from './keyed-hash.js';

/**
 * The one author-id normalisation, used by the gate's registry match, by the author pseudonyms
 * of the shards and by `shards revoke`: trim (Unicode white space), Unicode NFC, and with
 * `objections.case_insensitive` a full case fold (upper- then lower-case until nothing changes,
 * so ẞ ~ ß ~ SS ~ ss and final ς ~ σ, then NFC again). Compatibility forms stay distinct (no NFKC: ① is not 1).
 */
export function normaliseAuthorId(id: string, caseInsensitive: boolean): string {
  let s = id.trim().normalize('NFC');
  if (!caseInsensitive) return s;
  // to a fixed point: ẞ lower-cases to ß, which only upper-cases to SS on the next round
  for (let prev = '', round = 0; prev !== s && round < 4; round++) {
    prev = s;
    s = s.toUpperCase().toLowerCase().normalize('NFC');
  }
  return s;
}

/**
 * An author's pseudonym in shards and lineage: the keyed hash of the normalised id, so every
 * spelling the gate treats as one author (NFD, surrounding spaces, case when case-insensitive)
 * is one pseudonym, and revoke finds it from a registry id.
 */
export function authorPseudonym(secret: string, id: string, caseInsensitive: boolean): string {
  return keyedHash(secret, 'author', normaliseAuthorId(id, caseInsensitive));
}

/** The objection registry: author → earliest objection time (ms), plus provenance for manifests. */
export interface ObjectionRegistry {
  byAuthor: Map<string, number>;
  /** Objections to one item (README, "Chats"): a conversation id or a turn/post id (trimmed, NFC) → its earliest objection time; the item goes whatever its date. */
  byItem?: Map<string, number>;
  caseInsensitive: boolean;
  /** sha256 of each registry file's bytes, in order. */
  hashes: string[];
  /** The newest objection date in the registry, or the configured as-of date. */
  asOf: string | null;
}

/** What reading a registry needs of a config: where and how (`objections`), and the readers' `limits` and `csv`. */
export type RegistryConfig = Pick<Config, 'objections' | 'limits' | 'csv'>;

/** Load every registry file (CSV or JSONL). A row without a parseable id or date is an input error naming its line: a registry must be exact. */
export async function loadObjections(config: RegistryConfig, baseDir: string, extraPaths: string[] = []): Promise<ObjectionRegistry> {
  const o = config.objections;
  const byAuthor = new Map<string, number>();
  const byItem = new Map<string, number>();
  const hashes: string[] = [];
  let newest = -Infinity;
  for (const p of [...o.paths, ...extraPaths]) {
    const file = path.resolve(baseDir, p);
    if (!fs.existsSync(file)) throw new InputError(`objections: registry file not found: ${file}`);
    if (!fs.statSync(file).isFile()) throw new InputError(`objections: ${file} is a folder, not a registry file`);
    const format = formatOf(file);
    if (format !== 'csv' && format !== 'jsonl') throw new InputError(`objections: ${file} must be CSV or JSONL`);
    hashes.push(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    const input: InputFile = { path: file, format, bytes: fs.statSync(file).size };
    for await (const rows of openRows(input, config)) {
      for (const r of rows) {
        if (r.fields === undefined) throw new InputError(`${file}:${r.line}: ${r.bad}`);
        const item = r.fields[o.item_field];
        if (typeof item === 'string' || typeof item === 'number' ? String(item).trim() !== '' : false) {
          const t = parseDateOrTimestamp(r.fields[o.date_field]);
          if (Number.isNaN(t)) throw new InputError(`${file}:${r.line}: '${o.date_field}' is missing or not a date (YYYY-MM-DD or RFC 3339)`);
          const key = String(item).trim().normalize('NFC');
          const prev = byItem.get(key);
          if (prev === undefined || t < prev) byItem.set(key, t);
          if (t > newest) newest = t;
          continue;
        }
        const id = r.fields[o.id_field];
        if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') throw new InputError(`${file}:${r.line}: missing '${o.id_field}'`);
        const t = parseDateOrTimestamp(r.fields[o.date_field]);
        if (Number.isNaN(t)) throw new InputError(`${file}:${r.line}: '${o.date_field}' is missing or not a date (YYYY-MM-DD or RFC 3339)`);
        const key = normaliseAuthorId(String(id), o.case_insensitive);
        const prev = byAuthor.get(key);
        if (prev === undefined || t < prev) byAuthor.set(key, t);
        if (t > newest) newest = t;
      }
    }
  }
  const asOf = o.as_of ?? (Number.isFinite(newest) ? isoFromMs(newest).slice(0, 10) : null);
  return { byAuthor, byItem, caseInsensitive: o.case_insensitive, hashes, asOf };
}
