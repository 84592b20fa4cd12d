import type { Doc, SourceRef } from '../doc.js';
import type { Config } from '../config/schema.js';
import { isoFromMs, parseDateOnly, parseTimestamp } from '../dates.js';
import { isChatKind, roleClass, type RoleClass, type TurnInfo } from './conversations.js';

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
  /** set for a chat turn (its kind is one of policy.chats.kinds) */
  chat?: ChatFacts;
  problems: Problems;
}

/** What the gate needs to know about a chat turn beyond a post's fields (README, "Chats"). */
export interface ChatFacts {
  /** '' when missing (problem `missing:conversation_id`) */
  conversationId: string;
  role: RoleClass;
  /** the role as the export names it, lower-cased (user, assistant, gpt, system, tool, …) */
  roleName: string;
  /** the conversation (as far as this record shows it) holds another person's turn */
  group: boolean;
  /** the conversation's allow flag (fields.chat_allowed), when mapped and readable */
  allowed?: boolean;
  /** the conversation is deleted (its row's deleted flag in the array shape, or fields.conversation_deleted) */
  conversationDeleted: boolean;
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
    s = new Set([f.id, f.text, f.author_id, f.country, f.visibility, f.kind, f.created_at, f.author_birth_date, f.author_age, f.deleted, f.flagged, f.lang_hint, f.messages, f.conversation_id, f.role, f.chat_allowed, f.conversation_deleted].filter((x): x is string => !!x));
    mappedCache.set(config.fields, s);
  }
  return s;
}

/** Empty is missing, for every field: absent, null, "" and whitespace only (an empty CSV cell too). */
export const isMissing = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * A mapped yes/no column: undefined when the column is not mapped, or (with `missing:<name>` or
 * `invalid:<name>` added to `problems`) when the row's value is absent or not a boolean.
 */
function boolField(fields: { [k: string]: unknown }, col: string | null | undefined, name: string, problems: Problems): boolean | undefined {
  if (!col) return undefined;
  const v = fields[col];
  if (isMissing(v)) {
    problems.add(`missing:${name}`);
    return undefined;
  }
  const b = parseBool(v);
  if (b === undefined) problems.add(`invalid:${name}`);
  return b;
}

export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes' || s === 'y' || s === 't') return true;
    if (s === 'false' || s === '0' || s === 'no' || s === 'n' || s === 'f') return false;
  }
  return undefined;
}

/**
 * A mapped field that occurs twice in a row (after unescaping), or undefined. `dups` are the
 * row's repeated keys as its reader found them (JSON.parse keeps the last silently).
 */
function duplicatedField(dups: readonly string[] | undefined, config: Config): string | undefined {
  if (dups === undefined || dups.length === 0) return undefined;
  const mapped = mappedColumns(config);
  return dups.find((k) => mapped.has(k));
}

/** A string field's value (`String(v).trim()`), or the problem with it. */
function strField(v: unknown): string | 'missing' | 'invalid' {
  if (isMissing(v)) return 'missing';
  if (typeof v !== 'string' && typeof v !== 'number') return 'invalid';
  return String(v).trim();
}

/**
 * What a record says about the three facts that propagate to every record of its id (README,
 * "Conflicting copies"): the first of visibility, kind and deleted that does not allow the post —
 * missing, invalid, not allowed, or repeated in the row (`dups`) — or undefined. The allowed sets
 * are lower-case.
 */
export function propagatingFact(
  fields: { [k: string]: unknown },
  dups: readonly string[] | undefined,
  config: Config,
  visibility: Set<string>,
  kinds: Set<string>,
): 'visibility' | 'kind' | 'deleted' | undefined {
  const f = config.fields;
  const k0 = strField(fields[f.kind]);
  // a chat turn has no visibility (README, "Chats"): the chat rules stand in for it
  const chat = !dups?.includes(f.kind) && k0 !== 'missing' && k0 !== 'invalid' && kinds.has(k0.toLowerCase()) && isChatKind(k0.toLowerCase(), config);
  const v = strField(fields[f.visibility]);
  if (!chat && (dups?.includes(f.visibility) || v === 'missing' || v === 'invalid' || !visibility.has(v.toLowerCase()))) return 'visibility';
  const k = k0;
  if (dups?.includes(f.kind) || k === 'missing' || k === 'invalid' || !kinds.has(k.toLowerCase())) return 'kind';
  if (f.deleted && config.policy.exclude_deleted) {
    const d = fields[f.deleted];
    if (dups?.includes(f.deleted) || isMissing(d) || parseBool(d) !== false) return 'deleted';
  }
  return undefined;
}

/**
 * Map a platform row onto a Doc using the config's field mapping. Rows without a usable id or
 * text are malformed (`bad`); eligibility fields that are missing or unparseable are recorded as
 * problems so the gate excludes the row (fail closed). Unmapped fields go to `meta`.
 */
export function mapRow(fields: { [k: string]: unknown }, config: Config, source: SourceRef, dups?: readonly string[], turn?: TurnInfo): Mapped {
  const f = config.fields;
  const mapped = mappedColumns(config);
  const dup = duplicatedField(dups, config);
  if (dup !== undefined) return { bad: `field '${dup}' occurs more than once` };
  const rawId = fields[f.id];
  if (isMissing(rawId)) return { bad: `missing field '${f.id}' (id)` };
  if (typeof rawId !== 'string' && typeof rawId !== 'number') return { bad: `field '${f.id}' (id): expected a string, got ${typeof rawId}` };
  const rawText = fields[f.text];
  if (isMissing(rawText)) return { bad: `missing field '${f.text}' (text)` };
  if (typeof rawText !== 'string') return { bad: `field '${f.text}' (text): expected a string, got ${Array.isArray(rawText) ? 'array' : typeof rawText}` };
  if (Buffer.byteLength(rawText) > config.limits.max_text_bytes) return { bad: `text over limits.max_text_bytes (${config.limits.max_text_bytes} bytes)` };

  const problems = new Problems();
  const str = (col: string, name: string): string => {
    const v = strField(fields[col]);
    if (v === 'missing' || v === 'invalid') {
      problems.add(`${v}:${name}`);
      return '';
    }
    return v;
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
    createdMs = parseTimestamp(rawTime, f.created_at_format);
    if (Number.isNaN(createdMs)) problems.add('invalid:created_at');
    // keep an already canonical UTC timestamp as given; normalise anything else
    else createdAt = typeof rawTime === 'string' && CANONICAL.test(rawTime) ? rawTime : isoFromMs(createdMs);
  }

  const elig: EligibilityInput = { problems, createdMs };
  if (f.author_birth_date) {
    const v = fields[f.author_birth_date];
    if (!isMissing(v)) {
      // exactly YYYY-MM-DD on a real day: no time, no padding, no "(approx)"
      if (typeof v === 'string' && parseDateOnly(v)) elig.birthDate = v;
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
    const b = boolField(fields, f[flag], flag, problems);
    if (b !== undefined) elig[flag] = b;
  }

  if (isChatKind(kind, config)) elig.chat = chatFacts(fields, config, problems, turn);

  const meta: { [k: string]: unknown } = {};
  for (const k in fields) if (!mapped.has(k)) meta[k] = fields[k];
  if (elig.chat) {
    meta.conversation_id = elig.chat.conversationId;
    if (turn?.index !== undefined) meta.turn = turn.index;
  }
  if (f.lang_hint) {
    const h = fields[f.lang_hint];
    if (typeof h === 'string' && h.trim()) meta.lang_hint = h.trim();
  }
  const doc: Doc = { id: String(rawId).trim(), text: rawText, authorId, createdAt, country, kind, visibility, meta, source };
  return { doc, elig };
}

/** A chat turn's conversation facts: from the expanded conversation (`turn`), else from the row's mapped columns (flat turn-per-row). */
function chatFacts(fields: { [k: string]: unknown }, config: Config, problems: Problems, turn: TurnInfo | undefined): ChatFacts {
  const f = config.fields;
  let conversationId = turn?.conversationId ?? '';
  if (!turn) {
    const c = f.conversation_id ? strField(fields[f.conversation_id]) : 'missing';
    if (c === 'missing' || c === 'invalid') problems.add(`${c}:conversation_id`);
    else conversationId = c;
  }
  const role = turn ? turn.role : roleClass(f.role ? fields[f.role] : undefined, config);
  const rawRole = turn ? turn.roleName : f.role ? fields[f.role] : undefined;
  const roleName = typeof rawRole === 'string' ? rawRole.trim().toLowerCase() : '';
  const facts: ChatFacts = { conversationId, role, roleName, group: turn?.group ?? false, conversationDeleted: turn?.conversationDeleted ?? false };
  const allowed = boolField(fields, f.chat_allowed, 'chat_allowed', problems);
  if (allowed !== undefined) facts.allowed = allowed;
  if (boolField(fields, f.conversation_deleted, 'conversation_deleted', problems)) facts.conversationDeleted = true;
  return facts;
}
