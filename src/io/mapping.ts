import type { Doc, SourceRef } from '../doc.js';
import type { Config } from '../config/schema.js';
import { realDate } from '../dates.js';

/**
 * Fields an eligibility decision needs but that do not travel on with the Doc: they are read,
 * judged, and dropped. `problems` lists `missing:<field>` / `invalid:<field>` found while mapping.
 */
export interface EligibilityInput {
  /** `createdAt` as epoch ms (NaN when missing or invalid). */
  createdMs: number;
  birthDate?: string;
  age?: number;
  deleted?: boolean;
  flagged?: boolean;
  problems: Problems;
}

/** `missing:<field>` / `invalid:<field>` notes; most rows have none, so the Set is made lazily. */
export class Problems {
  private set: Set<string> | undefined;
  add(p: string): void {
    (this.set ??= new Set()).add(p);
  }
  has(p: string): boolean {
    return this.set !== undefined && this.set.has(p);
  }
  get size(): number {
    return this.set?.size ?? 0;
  }
}

export type Mapped = { doc: Doc; elig: EligibilityInput; bad?: undefined } | { bad: string };

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

const mappedCache = new WeakMap<object, Set<string>>();
/** The export's column names that map onto Doc fields (everything else goes to `meta`). */
export function mappedColumns(config: Config): Set<string> {
  let s = mappedCache.get(config.fields);
  if (!s) {
    const f = config.fields;
    s = new Set([f.id, f.text, f.author_id, f.country, f.visibility, f.kind, f.created_at, f.author_birth_date, f.author_age, f.deleted, f.flagged, f.lang_hint].filter((x): x is string => !!x));
    mappedCache.set(config.fields, s);
  }
  return s;
}

const isMissing = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Parse a timestamp: ISO 8601 text (a real calendar date), or epoch seconds / milliseconds. Returns ms or NaN. */
export function parseTime(v: unknown): number {
  if (typeof v === 'number') return v > 1e11 ? v : v * 1000;
  if (typeof v !== 'string') return NaN;
  // Fast path for the common canonical form 2025-03-01T10:00:00(.000)Z.
  if ((v.length === 20 || v.length === 24) && v.charCodeAt(10) === 84 && v.charCodeAt(v.length - 1) === 90) return realDate(v) ? Date.parse(v) : NaN;
  const s = v.trim();
  if (/^\d{9,13}$/.test(s)) return parseTime(Number(s));
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || !realDate(s)) return NaN;
  // A date-time without a zone is read as UTC, so results do not depend on the machine's zone.
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  return Date.parse(iso);
}

function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'y', 't'].includes(s)) return true;
    if (['false', '0', 'no', 'n', 'f', ''].includes(s)) return false;
  }
  return undefined;
}

/**
 * Map a platform row onto a Doc using the config's field mapping. Rows without a usable id or
 * text are malformed (`bad`); eligibility fields that are missing or unparseable are recorded as
 * problems so the gate excludes the row (fail closed). Unmapped fields go to `meta`.
 */
export function mapRow(fields: { [k: string]: unknown }, config: Config, source: SourceRef): Mapped {
  const f = config.fields;
  const mapped = mappedColumns(config);
  const rawId = fields[f.id];
  if (isMissing(rawId)) return { bad: `missing field '${f.id}' (id)` };
  if (typeof rawId !== 'string' && typeof rawId !== 'number') return { bad: `field '${f.id}' (id): expected a string, got ${typeof rawId}` };
  const rawText = fields[f.text];
  if (rawText === undefined || rawText === null) return { bad: `missing field '${f.text}' (text)` };
  if (typeof rawText !== 'string') return { bad: `field '${f.text}' (text): expected a string, got ${Array.isArray(rawText) ? 'array' : typeof rawText}` };
  if (Buffer.byteLength(rawText) > config.limits.max_text_bytes) return { bad: `text over limits.max_text_bytes (${config.limits.max_text_bytes} bytes)` };

  const problems = new Problems();
  const str = (col: string, name: string): string => {
    const v = fields[col];
    if (isMissing(v)) {
      problems.add(`missing:${name}`);
      return '';
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      problems.add(`invalid:${name}`);
      return '';
    }
    return String(v).trim();
  };
  const authorId = str(f.author_id, 'author_id');
  const country = str(f.country, 'country').toUpperCase();
  if (country && !/^[A-Z]{2}$/.test(country)) problems.add('invalid:country');
  const visibility = str(f.visibility, 'visibility').toLowerCase();
  const kind = str(f.kind, 'kind').toLowerCase();
  let createdAt = '';
  let createdMs = NaN;
  const rawTime = fields[f.created_at];
  if (isMissing(rawTime)) problems.add('missing:created_at');
  else {
    createdMs = parseTime(rawTime);
    if (Number.isNaN(createdMs)) problems.add('invalid:created_at');
    // keep an already canonical UTC timestamp as given; normalise anything else
    else createdAt = typeof rawTime === 'string' && CANONICAL.test(rawTime) ? rawTime : new Date(createdMs).toISOString();
  }

  const elig: EligibilityInput = { problems, createdMs };
  if (f.author_birth_date) {
    const v = fields[f.author_birth_date];
    if (!isMissing(v)) {
      const d = typeof v === 'string' ? v.trim().slice(0, 10) : '';
      if (/^\d{4}-\d{2}-\d{2}$/.test(d) && realDate(d) && !Number.isNaN(Date.parse(d))) elig.birthDate = d;
      else problems.add('invalid:author_birth_date');
    }
  }
  if (f.author_age) {
    const v = fields[f.author_age];
    if (!isMissing(v)) {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : NaN;
      if (Number.isInteger(n) && n >= 0 && n < 150) elig.age = n;
      else problems.add('invalid:author_age');
    }
  }
  for (const flag of ['deleted', 'flagged'] as const) {
    const col = f[flag];
    if (!col) continue;
    const v = fields[col];
    if (v === undefined || v === null) {
      problems.add(`missing:${flag}`);
      continue;
    }
    const b = parseBool(v);
    if (b === undefined) problems.add(`invalid:${flag}`);
    else elig[flag] = b;
  }

  const meta: { [k: string]: unknown } = {};
  for (const k in fields) if (!mapped.has(k)) meta[k] = fields[k];
  if (f.lang_hint) {
    const h = fields[f.lang_hint];
    if (typeof h === 'string' && h.trim()) meta.lang_hint = h.trim();
  }
  const doc: Doc = { id: String(rawId).trim(), text: rawText, authorId, createdAt, country, kind, visibility, meta, source };
  return { doc, elig };
}
