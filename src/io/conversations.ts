import type { Config } from '../config/schema.js';

/**
 * Chats with the platform's assistant (README, "Chats"). A conversation arrives either as one row
 * with a messages array (OpenAI-style `{role, content}` or ShareGPT-style `{from, value}`), or as
 * one row per turn grouped by a conversation id. Both become the same turn records here: the
 * gate judges each turn, and only the person's own turns can become Docs.
 */

/** What a turn's role says about who wrote it. `unknown` and `missing` may be another person. */
export type RoleClass = 'person' | 'assistant' | 'unknown' | 'missing';

/** Facts about the turn that come from its conversation rather than from its own fields. */
export interface TurnInfo {
  conversationId: string;
  role: RoleClass;
  /** the role as the message names it, lower-cased */
  roleName?: string;
  /** 1-based position in its messages array (array shape only) */
  index?: number;
  /** the array holds a turn of another person (a second person author, or a role that may be one) */
  group?: boolean;
  /** the conversation row itself is deleted (its deleted flag, array shape) */
  conversationDeleted?: boolean;
}

const lowerSet = (xs: readonly string[]) => new Set(xs.map((x) => x.trim().toLowerCase()));
const rolesCache = new WeakMap<object, { person: Set<string>; assistant: Set<string>; kinds: Set<string> }>();

function roles(config: Config) {
  let r = rolesCache.get(config.policy);
  if (!r) {
    const c = config.policy.chats;
    r = { person: lowerSet(c.person_roles), assistant: lowerSet(c.assistant_roles), kinds: lowerSet(c.kinds) };
    rolesCache.set(config.policy, r);
  }
  return r;
}

/** Whether a (lower-cased, trimmed) kind is read as a chat turn. */
export const isChatKind = (kind: string, config: Config): boolean => roles(config).kinds.has(kind);

/** The class of a role value: only a configured person role is the person; an unlisted role might be someone else. */
export function roleClass(v: unknown, config: Config): RoleClass {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return 'missing';
  if (typeof v !== 'string') return 'unknown';
  const s = v.trim().toLowerCase();
  const r = roles(config);
  return r.person.has(s) ? 'person' : r.assistant.has(s) ? 'assistant' : 'unknown';
}

/** Whether a row is a conversation: the config names a messages column and the row has it. */
export const isConversation = (row: { [k: string]: unknown }, config: Config): boolean => !!config.fields.messages && row[config.fields.messages] !== undefined;

/** One turn of an expanded conversation row: fields as a flat row would carry them, or why it is malformed. */
export type TurnRow = { fields: { [k: string]: unknown }; turn: TurnInfo; bad?: undefined } | { bad: string; fields?: undefined };

/** Keys of a message object that carry the turn's role and text, by shape. */
const ROLE_KEYS = ['role', 'from'];
const TEXT_KEYS = ['content', 'value', 'text'];

const isPlain = (v: unknown): v is { [k: string]: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The messages of a row: the array, a JSON string holding one (CSV, Parquet), or a problem. */
function messagesOf(v: unknown): unknown[] | string {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    if (nestedDuplicateKey(v)) return 'a message repeats a key';
    try {
      const a = JSON.parse(v) as unknown;
      if (Array.isArray(a)) return a;
    } catch {
      return 'not a JSON array';
    }
  }
  return 'expected an array of messages';
}

/**
 * Expand a conversation row (fields.messages holds an array) into its turns. The row's fields are
 * the conversation's (id → conversation id, author, country, kind, birth date, chat flag,
 * deletion); a message may carry its own id, created_at, author_id, deleted and lang hint under
 * the same column names, else it takes the conversation's. Turn ids without their own are
 * `<conversation id>:<n>`. Conversation-level fields the mapping does not know (a title, a
 * summary) are not carried to the turns: the platform's assistant may have written them.
 * `nestedDups`: the row's text repeats a key inside a message (JSON.parse would keep the last).
 */
export function expandConversation(row: { [k: string]: unknown }, config: Config, nestedDups = false): TurnRow[] | string {
  const f = config.fields;
  const msgs = messagesOf(row[f.messages!]);
  if (typeof msgs === 'string') return `field '${f.messages}': ${msgs}`;
  if (nestedDups) return `field '${f.messages}': a message repeats a key`;
  const rawId = row[f.id];
  if (rawId === undefined || rawId === null || (typeof rawId !== 'string' && typeof rawId !== 'number') || String(rawId).trim() === '') return `missing field '${f.id}' (conversation id)`;
  const conversationId = String(rawId).trim();
  // the conversation's own fields that a turn inherits
  const inherit = [f.author_id, f.country, f.kind, f.visibility, f.created_at, f.author_birth_date, f.author_age, f.flagged, f.chat_allowed, f.conversation_deleted, f.lang_hint].filter((x): x is string => !!x);
  const own = [f.id, f.author_id, f.created_at, f.deleted, f.lang_hint].filter((x): x is string => !!x);
  const rowDeleted = f.deleted ? row[f.deleted] : undefined;
  const conversationDeleted = rowDeleted === true || (typeof rowDeleted === 'string' && /^\s*(true|1|yes|y|t)\s*$/i.test(rowDeleted)) || rowDeleted === 1;
  const out: TurnRow[] = [];
  const people = new Set<string>();
  let other = false;
  msgs.forEach((m, i) => {
    if (!isPlain(m)) {
      out.push({ bad: `field '${f.messages}': message ${i + 1} is not an object` });
      other = true; // a turn that cannot be read might be anyone's
      return;
    }
    const roleKey = ROLE_KEYS.find((k) => k in m);
    const textKey = TEXT_KEYS.find((k) => k in m);
    const role = roleClass(roleKey ? m[roleKey] : undefined, config);
    const fields: { [k: string]: unknown } = {};
    for (const c of inherit) if (c in row) fields[c] = row[c];
    for (const c of own) if (c in m) fields[c] = m[c];
    if (!(f.id in m)) fields[f.id] = `${conversationId}:${i + 1}`;
    // a deleted conversation stays deleted whatever a message says; else the message's own flag, else the row's
    if (f.deleted && !(f.deleted in m) && f.deleted in row) fields[f.deleted] = rowDeleted;
    let text = textKey ? m[textKey] : undefined;
    // OpenAI content parts: the text parts, joined
    if (Array.isArray(text) && text.every((p) => isPlain(p) && p.type === 'text' && typeof p.text === 'string')) text = text.map((p) => (p as { text: string }).text).join('\n');
    fields[f.text] = text;
    // the message's other keys (but not the other turns) travel as meta
    for (const k in m) if (k !== roleKey && k !== textKey && !own.includes(k) && !(k in fields) && k !== 'name') fields[k] = m[k];
    if (role === 'person') {
      // OpenAI's `name` on a user message names a participant: a second one is another person
      const who = m.name ?? fields[f.author_id];
      people.add(typeof who === 'string' || typeof who === 'number' ? String(who).trim().normalize('NFC') : '');
    } else if (role !== 'assistant') other = true;
    const rn = roleKey ? m[roleKey] : undefined;
    out.push({ fields, turn: { conversationId, role, roleName: typeof rn === 'string' ? rn.trim().toLowerCase() : '', index: i + 1, conversationDeleted } });
  });
  const group = other || people.size > 1;
  for (const t of out) if (t.fields !== undefined) t.turn.group = group;
  return out;
}

/**
 * Whether a JSON text repeats a key in any object below the top level (a message object inside
 * the messages array): JSON.parse keeps the last silently, so such a conversation is malformed.
 */
export function nestedDuplicateKey(s: string): boolean {
  const stack: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      for (;;) {
        j = s.indexOf('"', j);
        if (j < 0) return false;
        let k = j - 1;
        while (s.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = s.slice(i + 1, j);
        let key = raw;
        if (raw.includes('\\'))
          try {
            key = JSON.parse(s.slice(i, j + 1)) as string;
          } catch {
            return false;
          }
        if (stack.length >= 2 && top.has(key)) return true;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 123) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 91) {
      stack.push(undefined);
      expectKey = false;
    } else if (c === 125 || c === 93) {
      stack.pop();
      expectKey = false;
    } else if (c === 44) expectKey = stack[stack.length - 1] !== undefined;
  }
  return false;
}
