/**
 * An independent, deliberately plain implementation of the eligibility policy, written from the
 * README's rules ("Eligibility rules", "Dates", "Conflicting copies"), one record at a time. It
 * shares no code with src/eligibility, src/io or src/dates.ts: its own JSON parser (which sees
 * repeated keys), its own date grammar (checked with a Date object, not a day table), its own
 * conflict pass. The property test holds the filter to it.
 */

/** A parsed JSON value; objects keep every member, in order, repeated keys included. */
export type J = null | boolean | number | string | J[] | { members: Array<[string, J]> };

/** Parse JSON text strictly (RFC 8259); undefined when it is not JSON. */
export function parseJson(text: string): J | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('not JSON');
  };
  const str = (): string => {
    if (text[i] !== '"') fail();
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) fail();
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      const simple: { [k: string]: string } = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail();
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else fail();
    }
  };
  const value = (): J => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const members: Array<[string, J]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { members };
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        members.push([k, value()]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { members };
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      const items: J[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail();
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const)
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    const m = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) return fail();
    i += r[0].length;
    return Number(r[0]);
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/** One record as a reader would hand it over: its values by column, and which columns occur more than once. */
export interface OracleRecord {
  values: Map<string, unknown>;
  repeated: Set<string>;
}

/** A JSONL line as a record, or undefined when the line is not a JSON object. */
export function recordOfLine(line: string): OracleRecord | undefined {
  const v = parseJson(line);
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const values = new Map<string, unknown>();
  const repeated = new Set<string>();
  for (const [k, x] of v.members) {
    if (values.has(k)) repeated.add(k);
    values.set(k, x);
  }
  return { values, repeated };
}

export interface OraclePolicy {
  fields: {
    id: string;
    author_id: string;
    text: string;
    created_at: string;
    created_at_format: 'rfc3339' | 'epoch_s' | 'epoch_ms';
    country: string;
    visibility: string;
    kind: string;
    author_birth_date: string | null;
    author_age: string | null;
    deleted: string | null;
    flagged: string | null;
  };
  visibility: string[];
  kinds: string[];
  countries: string[];
  minAge: number;
  ageField: 'at_post' | 'at_export';
  exportDate?: string;
  window: { from: string; to: string };
  excludeDeleted: boolean;
  excludeFlagged: boolean;
  objections: Array<[string, string]>;
  objectionScope: 'all' | 'after_objection';
  caseInsensitive: boolean;
  maxTextBytes: number;
}

const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const EARLIEST = (() => {
  const d = new Date(0);
  d.setUTCFullYear(0, 0, 1);
  return d.getTime();
})();

/** An instant from calendar parts, or NaN if the calendar does not have that day or time. */
function instant(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  const ok = t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
  return ok ? t.getTime() : NaN;
}

/** README "Dates": YYYY-MM-DDTHH:MM:SS[.1–9 digits](Z|±HH:MM), the whole string, fraction cut to ms. */
export function oracleRfc3339(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const r = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|([+-])([0-9]{2}):([0-9]{2}))$/.exec(v);
  if (!r) return NaN;
  // the first three digits of the fraction are the milliseconds (cut, not rounded)
  const msDigits = r[7] ? Number((r[7].slice(1) + '00').slice(0, 3)) : 0;
  const local = instant(+r[1], +r[2], +r[3], +r[4], +r[5], +r[6], msDigits);
  if (Number.isNaN(local)) return NaN;
  let off = 0;
  if (r[8] !== 'Z') {
    const oh = +r[10];
    const om = +r[11];
    if (oh > 23 || om > 59) return NaN;
    off = (oh * 60 + om) * 60_000 * (r[9] === '-' ? -1 : 1);
  }
  const t = local - off;
  return t >= EARLIEST && t <= LATEST ? t : NaN;
}

function oracleTime(v: unknown, format: OraclePolicy['fields']['created_at_format']): number {
  if (format === 'rfc3339') return oracleRfc3339(v);
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^[0-9]+$/.test(v)) n = Number(v);
  else return NaN;
  if (!Number.isInteger(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) return NaN;
  const ms = format === 'epoch_s' ? n * 1000 : n;
  return ms <= LATEST ? ms : NaN;
}

/** YYYY-MM-DD on a real day: [y, m, d]. */
function oracleDate(v: unknown): [number, number, number] | undefined {
  if (typeof v !== 'string') return undefined;
  const r = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(v);
  if (!r) return undefined;
  return Number.isNaN(instant(+r[1], +r[2], +r[3])) ? undefined : [+r[1], +r[2], +r[3]];
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A string field: its trimmed text, or 'missing' / 'invalid'. */
function text(v: unknown): { ok: string } | 'missing' | 'invalid' {
  if (blank(v)) return 'missing';
  if (typeof v === 'string' || typeof v === 'number') return { ok: String(v).trim() };
  return 'invalid';
}

function flag(v: unknown): boolean | 'missing' | 'invalid' {
  if (blank(v)) return 'missing';
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'y', 't'].includes(s)) return true;
    if (['false', '0', 'no', 'n', 'f'].includes(s)) return false;
  }
  return 'invalid';
}

function yearsBetween(b: [number, number, number], at: number): number {
  const d = new Date(at);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return y - b[0] - (m < b[1] || (m === b[1] && day < b[2]) ? 1 : 0);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The conflict key of an id: README "Conflicting copies" (trimmed, NFC). */
export const idKey = (id: unknown) => String(id).trim().normalize('NFC');

export type Verdict = { kind: 'malformed' } | { kind: 'excluded'; rule: string } | { kind: 'kept' };

export class Oracle {
  private readonly from: number;
  private readonly to: number;
  private readonly objectors = new Map<string, number>();
  /** conflict key → the first propagating fact (by the order visibility, kind, deleted) any record of it has */
  readonly conflicts = new Map<string, number>();

  constructor(private readonly p: OraclePolicy) {
    const [fy, fm, fd] = p.window.from.split('-').map(Number);
    const [ty, tm, td] = p.window.to.split('-').map(Number);
    this.from = Date.UTC(fy, fm - 1, fd);
    this.to = Date.UTC(ty, tm - 1, td) + 86_400_000 - 1;
    for (const [id, at] of p.objections) {
      const key = this.authorKey(id);
      const t = oracleDate(at) ? Date.UTC(+at.slice(0, 4), +at.slice(5, 7) - 1, +at.slice(8, 10)) : oracleRfc3339(at);
      const prev = this.objectors.get(key);
      if (prev === undefined || t < prev) this.objectors.set(key, t);
    }
  }

  private authorKey(id: string): string {
    const s = id.trim().normalize('NFC');
    return this.p.caseInsensitive ? s.toLowerCase() : s;
  }

  private mapped(): string[] {
    const f = this.p.fields;
    return [f.id, f.author_id, f.text, f.created_at, f.country, f.visibility, f.kind, f.author_birth_date, f.author_age, f.deleted, f.flagged].filter((x): x is string => !!x);
  }

  /** The first pass: note the propagating fact of a record whose id can be read. */
  notice(r: OracleRecord): void {
    const f = this.p.fields;
    if (r.repeated.has(f.id)) return;
    const id = r.values.get(f.id);
    if (blank(id) || (typeof id !== 'string' && typeof id !== 'number')) return;
    let fact = -1;
    const allowedText = (col: string, allowed: string[]) => {
      if (r.repeated.has(col)) return false;
      const t = text(r.values.get(col));
      return typeof t === 'object' && allowed.includes(t.ok.toLowerCase());
    };
    if (!allowedText(f.visibility, this.p.visibility)) fact = 0;
    else if (!allowedText(f.kind, this.p.kinds)) fact = 1;
    else if (f.deleted && this.p.excludeDeleted && (r.repeated.has(f.deleted) || flag(r.values.get(f.deleted)) !== false)) fact = 2;
    if (fact < 0) return;
    const k = idKey(id);
    const prev = this.conflicts.get(k);
    if (prev === undefined || fact < prev) this.conflicts.set(k, fact);
  }

  /** The second pass: one record's verdict. */
  judge(r: OracleRecord): Verdict {
    const p = this.p;
    const f = p.fields;
    if (this.mapped().some((c) => r.repeated.has(c))) return { kind: 'malformed' };
    const get = (c: string | null) => (c ? r.values.get(c) : undefined);
    const id = get(f.id);
    if (blank(id) || (typeof id !== 'string' && typeof id !== 'number')) return { kind: 'malformed' };
    const body = get(f.text);
    if (blank(body) || typeof body !== 'string' || Buffer.byteLength(body, 'utf8') > p.maxTextBytes) return { kind: 'malformed' };
    const ex = (rule: string): Verdict => ({ kind: 'excluded', rule });

    const author = text(get(f.author_id));
    if (typeof author !== 'object') return ex(`${author}:author_id`);
    const rawTime = get(f.created_at);
    const created = blank(rawTime) ? 'missing' : Number.isNaN(oracleTime(rawTime, f.created_at_format)) ? 'invalid' : oracleTime(rawTime, f.created_at_format);

    const objectedAt = this.objectors.get(this.authorKey(author.ok));
    if (objectedAt !== undefined) {
      if (p.objectionScope === 'all') return ex('objection');
      if (typeof created === 'string') return ex(`${created}:created_at`);
      if (created >= objectedAt) return ex('objection');
    }
    const vis = text(get(f.visibility));
    if (typeof vis !== 'object') return ex(`${vis}:visibility`);
    if (!p.visibility.includes(vis.ok.toLowerCase())) return ex('visibility');
    const kind = text(get(f.kind));
    if (typeof kind !== 'object') return ex(`${kind}:kind`);
    if (!p.kinds.includes(kind.ok.toLowerCase())) return ex('kind');
    if (f.deleted && p.excludeDeleted) {
      const d = flag(get(f.deleted));
      if (typeof d === 'string') return ex(`${d}:deleted`);
      if (d) return ex('deleted');
    }
    if (f.flagged && p.excludeFlagged) {
      const d = flag(get(f.flagged));
      if (typeof d === 'string') return ex(`${d}:flagged`);
      if (d) return ex('flagged');
    }
    const country = text(get(f.country));
    if (typeof country !== 'object') return ex(`${country}:country`);
    const cc = country.ok.toUpperCase();
    if (!/^[A-Z]{2}$/.test(cc)) return ex('invalid:country');
    if (!p.countries.includes(cc)) return ex('country');
    if (typeof created === 'string') return ex(`${created}:created_at`);
    if (created < this.from || created > this.to) return ex('window');

    // age: an invalid birth date or age excludes; the age is used only when the birth date is absent
    let birth: [number, number, number] | undefined;
    let birthState: 'absent' | 'ok' | 'invalid' = 'absent';
    if (f.author_birth_date) {
      const v = get(f.author_birth_date);
      if (!blank(v)) {
        birth = oracleDate(v);
        birthState = birth ? 'ok' : 'invalid';
      }
    }
    let age: number | undefined;
    let ageState: 'absent' | 'ok' | 'invalid' = 'absent';
    if (f.author_age) {
      const v = get(f.author_age);
      if (!blank(v)) {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[0-9]{1,3}\s*$/.test(v) ? Number(v.trim()) : NaN;
        if (Number.isInteger(n) && n >= 0 && n < 150) {
          age = n;
          ageState = 'ok';
        } else ageState = 'invalid';
      }
    }
    if (birthState === 'invalid') return ex('invalid:author_birth_date');
    if (ageState === 'invalid') return ex('invalid:author_age');
    let years: number;
    if (birth) years = yearsBetween(birth, created);
    else if (age !== undefined) {
      if (p.ageField === 'at_post') years = age;
      else {
        const [ey, em, ed] = p.exportDate!.split('-').map(Number);
        const by = ey - age;
        years = yearsBetween([by, em, em === 2 && ed === 29 && !isLeap(by) ? 28 : ed], created);
      }
    } else return ex(f.author_birth_date ? 'missing:author_birth_date' : 'missing:author_age');
    if (years < p.minAge) return ex('minor');

    const fact = this.conflicts.get(idKey(id));
    if (fact !== undefined) return ex(`conflict:${['visibility', 'kind', 'deleted'][fact]}`);
    return { kind: 'kept' };
  }
}

/**
 * The chat policy (README, "Chats"), written from the README alone and sharing no code with
 * src/ (nor with the Oracle above): a conversation row (a messages array) or a turn row is
 * turned into turns, and a turn is kept when every rule about the turn holds and no record of its
 * conversation says the conversation is out (another person in it, a refused flag, a deletion),
 * nor any record of its id is deleted or of a kind not allowed. Only whether a turn is kept is
 * decided here (which rule names an exclusion depends on the order records meet in the merge pass).
 */
export interface ChatOraclePolicy {
  fields: {
    id: string;
    author_id: string;
    text: string;
    created_at: string;
    country: string;
    kind: string;
    author_birth_date: string;
    deleted: string;
    messages: string;
    conversation_id: string;
    role: string;
    chat_allowed: string;
    conversation_deleted: string;
  };
  kinds: string[];
  chatKinds: string[];
  personRoles: string[];
  assistantRoles: string[];
  /** flag_and_notice_date: both the flag and the notice date */
  noticeDate: string;
  countries: string[];
  window: { from: string; to: string };
  minAge: number;
  minLetters: number;
  maxTextBytes: number;
  authorObjections: string[];
  itemObjections: string[];
}

/** One turn as the oracle sees it; `rowkey` names it for the test. */
export interface ChatTurn {
  values: Map<string, unknown>;
  repeated: Set<string>;
  /** from a messages array: its conversation id and whether the row itself says another person is in it / it is deleted */
  fromArray?: { conversation: string; group: boolean; rowDeleted: boolean };
}

export type ChatRow = { malformed: true; readable?: ChatTurn[] } | { malformed: false; turns: Array<ChatTurn | 'malformed'> };

const norm = (v: unknown) => String(v).trim().normalize('NFC');

export class ChatOracle {
  /** conversation key → it is out (another person, refused flag, deletion) */
  private readonly out = new Set<string>();
  private readonly authors = new Map<string, Set<string>>();
  /** turn id key → some record of it is deleted or of a kind not allowed */
  private readonly badIds = new Set<string>();
  private readonly from: number;
  private readonly to: number;
  private readonly noticeMs: number;

  constructor(private readonly p: ChatOraclePolicy) {
    this.from = Date.parse(p.window.from + 'T00:00:00Z');
    this.to = Date.parse(p.window.to + 'T23:59:59.999Z');
    this.noticeMs = Date.parse(p.noticeDate + 'T00:00:00Z');
  }

  private roleOf(v: unknown): 'person' | 'assistant' | 'other' {
    if (typeof v !== 'string') return 'other';
    const s = v.trim().toLowerCase();
    if (this.p.personRoles.includes(s)) return 'person';
    if (this.p.assistantRoles.includes(s)) return 'assistant';
    return 'other';
  }

  private isChat(v: unknown): boolean {
    return typeof v === 'string' && this.p.chatKinds.includes(v.trim().toLowerCase());
  }

  private plain(j: J | undefined): unknown {
    if (j === null || typeof j !== 'object') return j;
    if (Array.isArray(j)) return j.map((x) => this.plain(x));
    const o: { [k: string]: unknown } = {};
    for (const [k, v] of j.members) o[k] = this.plain(v);
    return o;
  }

  /** A row (values by column) as turns: a conversation row's messages, or the row itself. */
  rowTurns(r: OracleRecord): ChatRow {
    const f = this.p.fields;
    if (!r.values.has(f.messages)) return { malformed: false, turns: [{ values: r.values, repeated: r.repeated }] };
    let msgs = r.values.get(f.messages);
    let nestedRepeat = false;
    if (typeof msgs === 'string') {
      const parsed = parseJson(msgs);
      if (parsed === undefined || !Array.isArray(parsed)) return { malformed: true };
      msgs = parsed;
    }
    if (!Array.isArray(msgs)) return { malformed: true };
    // a message object that repeats a key (its members as parsed, before they become values)
    for (const m of msgs as J[]) if (m !== null && typeof m === 'object' && !Array.isArray(m) && new Set(m.members.map(([k]) => k)).size !== m.members.length) nestedRepeat = true;
    const id = r.values.get(f.id);
    if (blank(id) || (typeof id !== 'string' && typeof id !== 'number')) return { malformed: true };
    const conversation = norm(id);
    const inherit = [f.author_id, f.country, f.kind, f.created_at, f.author_birth_date, f.chat_allowed, f.conversation_deleted];
    const rowDeleted = flag(r.values.get(f.deleted)) === true;
    const people = new Set<string>();
    let other = false;
    const turns: Array<ChatTurn | 'malformed'> = (msgs as J[]).map((mj, i) => {
      const m = this.plain(mj);
      if (m === null || typeof m !== 'object' || Array.isArray(m)) {
        other = true;
        return 'malformed';
      }
      const o = m as { [k: string]: unknown };
      const values = new Map<string, unknown>();
      for (const c of inherit) if (r.values.has(c)) values.set(c, r.values.get(c));
      for (const c of [f.id, f.author_id, f.created_at, f.deleted]) if (c in o) values.set(c, o[c]);
      if (!(f.id in o)) values.set(f.id, `${conversation}:${i + 1}`);
      if (!(f.deleted in o) && r.values.has(f.deleted)) values.set(f.deleted, r.values.get(f.deleted));
      const roleKey = 'role' in o ? 'role' : 'from' in o ? 'from' : undefined;
      const textKey = ['content', 'value', 'text'].find((k) => k in o);
      let body = textKey ? o[textKey] : undefined;
      if (Array.isArray(body) && body.every((x) => x !== null && typeof x === 'object' && (x as { type?: unknown }).type === 'text' && typeof (x as { text?: unknown }).text === 'string'))
        body = body.map((x) => (x as { text: string }).text).join('\n');
      values.set(f.text, body);
      values.set(f.role, roleKey ? o[roleKey] : undefined);
      const role = this.roleOf(values.get(f.role));
      if (role === 'person') {
        const who = o.name ?? values.get(f.author_id);
        people.add(typeof who === 'string' || typeof who === 'number' ? norm(who) : '');
      } else if (role !== 'assistant') other = true;
      return { values, repeated: new Set<string>(), fromArray: { conversation, group: false, rowDeleted } };
    });
    for (const t of turns) if (t !== 'malformed') t.fromArray!.group = other || people.size > 1;
    if (r.repeated.size > 0 || nestedRepeat || turns.length === 0) return { malformed: true, readable: turns.filter((t): t is ChatTurn => t !== 'malformed') };
    return { malformed: false, turns };
  }

  private conversationOf(t: ChatTurn): string | undefined {
    if (t.fromArray) return t.fromArray.conversation;
    const c = t.values.get(this.p.fields.conversation_id);
    if (t.repeated.has(this.p.fields.conversation_id) || blank(c) || (typeof c !== 'string' && typeof c !== 'number')) return undefined;
    return norm(c);
  }

  /** First pass: what this turn says about its conversation and its id, whatever becomes of it. */
  notice(t: ChatTurn): void {
    const f = this.p.fields;
    const kind = t.values.get(f.kind);
    const idv = t.values.get(f.id);
    if (!t.repeated.has(f.id) && !blank(idv) && (typeof idv === 'string' || typeof idv === 'number')) {
      const k = typeof kind === 'string' && !t.repeated.has(f.kind) ? kind.trim().toLowerCase() : '';
      const chat = this.p.chatKinds.includes(k) && this.p.kinds.includes(k);
      const del = flag(t.values.get(f.deleted));
      if (!chat && (!k || !this.p.kinds.includes(k))) this.badIds.add(norm(idv));
      // a non-chat record's visibility is not generated here: every row of this test is a chat or of a kind not allowed
      else if (t.repeated.has(f.deleted) || del !== false) this.badIds.add(norm(idv));
    }
    if (!this.isChat(kind)) return;
    const conv = this.conversationOf(t);
    if (conv === undefined) return;
    const role = t.repeated.has(f.role) ? 'other' : this.roleOf(t.values.get(f.role));
    if (role === 'other' || t.fromArray?.group) this.out.add(conv);
    if (role === 'person') {
      const a = t.values.get(f.author_id);
      if (!t.repeated.has(f.author_id) && !blank(a) && (typeof a === 'string' || typeof a === 'number')) {
        const s = this.authors.get(conv) ?? new Set<string>();
        s.add(norm(a));
        this.authors.set(conv, s);
        if (s.size > 1) this.out.add(conv);
      }
    }
    if (t.repeated.has(f.chat_allowed) || flag(t.values.get(f.chat_allowed)) !== true) this.out.add(conv);
    if (t.fromArray?.rowDeleted || t.repeated.has(f.conversation_deleted) || flag(t.values.get(f.conversation_deleted)) !== false) this.out.add(conv);
  }

  /** Second pass: 'malformed', or whether the turn is kept. */
  judge(t: ChatTurn): 'malformed' | 'kept' | 'excluded' {
    const p = this.p;
    const f = p.fields;
    const mapped = [f.id, f.author_id, f.text, f.created_at, f.country, f.kind, f.author_birth_date, f.deleted, f.messages, f.conversation_id, f.role, f.chat_allowed, f.conversation_deleted];
    if (mapped.some((c) => t.repeated.has(c))) return 'malformed';
    const get = (c: string) => t.values.get(c);
    const id = get(f.id);
    if (blank(id) || (typeof id !== 'string' && typeof id !== 'number')) return 'malformed';
    const body = get(f.text);
    if (blank(body) || typeof body !== 'string' || Buffer.byteLength(body, 'utf8') > p.maxTextBytes) return 'malformed';
    const kind = text(get(f.kind));
    if (typeof kind !== 'object' || !p.chatKinds.includes(kind.ok.toLowerCase()) || !p.kinds.includes(kind.ok.toLowerCase())) return 'excluded';
    if (this.roleOf(get(f.role)) !== 'person') return 'excluded';
    const author = text(get(f.author_id));
    if (typeof author !== 'object') return 'excluded';
    const conv = this.conversationOf(t);
    if (conv === undefined) return 'excluded';
    if (p.authorObjections.includes(author.ok.normalize('NFC')) || p.itemObjections.includes(norm(id)) || p.itemObjections.includes(conv)) return 'excluded';
    if (t.fromArray?.group || t.fromArray?.rowDeleted) return 'excluded';
    if (flag(get(f.chat_allowed)) !== true) return 'excluded';
    if (flag(get(f.conversation_deleted)) !== false) return 'excluded';
    if (flag(get(f.deleted)) !== false) return 'excluded';
    const country = text(get(f.country));
    if (typeof country !== 'object' || !p.countries.includes(country.ok.toUpperCase())) return 'excluded';
    const created = oracleRfc3339(get(f.created_at));
    if (Number.isNaN(created) || created < this.from || created > this.to || created < this.noticeMs) return 'excluded';
    const birth = oracleDate(get(f.author_birth_date));
    if (!birth || yearsBetween(birth, created) < p.minAge) return 'excluded';
    if ((body.match(/\p{L}/gu) ?? []).length < p.minLetters) return 'excluded';
    if (this.out.has(conv) || this.badIds.has(norm(id))) return 'excluded';
    return 'kept';
  }
}
