import type { Config } from '../config/schema.js';
import { Kind, oneOf } from '../io/flat-json.js';
import type { FlatRowMapper } from '../io/flat-mapping.js';
import type { JsonlWriter } from '../io/writers/jsonl.js';
import { Problems } from '../io/mapping.js';
import { daysInMonth } from '../dates.js';
import { ageAtPost, type GateContext } from './policy.js';
import { normaliseAuthorId } from './objections.js';
import type { IdHasher } from './id-conflicts.js';

/** What `FlatGate.judge` did with a row. */
export const FALLBACK = 0;
export const KEPT = 1;
export const EXCLUDED = 2;

const enc = (s: string) => Buffer.from(s, 'latin1');
const P_ID = enc('{"id":');
const P_TEXT = enc(',"text":');
const P_AUTHOR = enc(',"authorId":');
const P_CREATED = enc(',"createdAt":');
const P_COUNTRY = enc(',"country":');
const P_KIND = enc(',"kind":');
const P_VIS = enc(',"visibility":');
const P_META = enc(',"meta":{');
const P_LANG = enc('"lang_hint":');
const P_AGE = enc('},"ageAtPost":');
const QUOTE = enc('"');
const COMMA = enc(',');
const CLOSE = enc('}');
const FIXED = [P_ID, P_TEXT, P_AUTHOR, P_CREATED, P_COUNTRY, P_KIND, P_VIS, P_META, P_AGE, CLOSE].reduce((n, x) => n + x.length, 0);

/**
 * The eligibility gate on the bytes of a scanned flat JSONL row, for rows whose mapped values
 * are all in canonical form: ids as strings without escapes or surrounding spaces (or plain
 * integers), upper-case two-letter countries, lower-case ASCII visibility and kind, canonical
 * UTC timestamps (`2025-03-01T10:00:00(.000)Z`) and `YYYY-MM-DD` birth dates on real days,
 * plain integer ages, booleans for flags. For those, `mapRow` + `exclusionReason` would only
 * copy the values, so the decision and the kept doc's JSON line are made from the bytes, with
 * the same rules in the same order and the same line out.
 *
 * Anything else (a missing, null, padded, escaped or mixed-case value, a date the calendar does
 * not have, a text over the size limit) returns `FALLBACK`, and the caller runs the general
 * mapping and gate: this class never decides a row differently from them (a differential test
 * holds it to them on generated rows), and leaves every row they would call malformed to them.
 */
export class FlatGate {
  private readonly s: {
    id: number;
    text: number;
    author: number;
    country: number;
    visibility: number;
    kind: number;
    created: number;
    birth: number;
    age: number;
    deleted: number;
    flagged: number;
    lang: number;
  };
  /** allowed countries: a bit per (A–Z, A–Z) pair */
  private readonly countries = new Uint8Array(26 * 26);
  private readonly countryNames: string[] = new Array(26 * 26);
  private readonly visibility: Buffer[];
  private readonly kinds: Buffer[];
  /** chat kinds: such a row takes the general way (its role and conversation rules) */
  private readonly chatKinds: Buffer[];
  private readonly checkDeleted: boolean;
  private readonly checkFlagged: boolean;
  private readonly maxText: number;
  private readonly minAge: number;
  /** created_at is RFC 3339 text (else every row takes the general way) */
  private readonly rfc3339: boolean;
  private sourceHead: Buffer = P_META;

  // the decision's by-products, read by the caller
  /** the row's country (for the funnel) */
  country = '';
  /** the rule that excluded the row */
  rule = '';
  /** the doc id (only set for excluded rows, for the ledger's keyed hash) */
  id = '';
  /** the doc writer's backpressure, after KEPT */
  wait: void | Promise<void> = undefined;

  // per-row scratch
  private createdMs = 0;
  private cy = 0;
  private cm = 0;
  private cd = 0;

  constructor(
    private readonly config: Config,
    private readonly gate: GateContext,
    private readonly m: FlatRowMapper,
  ) {
    const f = config.fields;
    this.s = {
      id: m.slot(f.id),
      text: m.slot(f.text),
      author: m.slot(f.author_id),
      country: m.slot(f.country),
      visibility: m.slot(f.visibility),
      kind: m.slot(f.kind),
      created: m.slot(f.created_at),
      birth: m.slot(f.author_birth_date),
      age: m.slot(f.author_age),
      deleted: m.slot(f.deleted),
      flagged: m.slot(f.flagged),
      lang: m.slot(f.lang_hint),
    };
    for (const c of gate.countries) if (/^[A-Z]{2}$/.test(c)) this.countries[(c.charCodeAt(0) - 65) * 26 + c.charCodeAt(1) - 65] = 1;
    this.visibility = [...gate.visibility].map((v) => Buffer.from(JSON.stringify(v)));
    this.kinds = [...gate.kinds].map((v) => Buffer.from(JSON.stringify(v)));
    this.chatKinds = config.policy.chats.kinds.map((v) => Buffer.from(JSON.stringify(v.trim().toLowerCase())));
    this.checkDeleted = !!f.deleted && config.policy.exclude_deleted;
    this.checkFlagged = !!f.flagged && config.policy.exclude_flagged;
    this.maxText = config.limits.max_text_bytes;
    this.minAge = config.policy.min_age;
    this.rfc3339 = f.created_at_format === 'rfc3339';
  }

  /** Rows of this file carry `"source":{"file":<file>,"line":` in their JSON. */
  setFile(file: string): void {
    this.sourceHead = Buffer.from(`},"source":${JSON.stringify({ file })}`.slice(0, -1) + ',"line":');
  }

  /**
   * Judge the row `m.scanLine` accepted last: `KEPT` (its doc line is written to `w`; await
   * `wait` if set), `EXCLUDED` (by `rule`; `id` is the doc id) or `FALLBACK` (nothing done).
   * `country` is set unless FALLBACK.
   */
  judge(line: number, w: JsonlWriter): number {
    const m = this.m;
    const b = m.buf!;
    const sc = m.scan;
    const of = m.memberOf;
    const s = this.s;
    const ki = of[s.id];
    const kt = of[s.text];
    const ka = of[s.author];
    const kc = of[s.country];
    const kv = of[s.visibility];
    const kk = of[s.kind];
    const kT = of[s.created];
    if (ki < 0 || kt < 0 || ka < 0 || kc < 0 || kv < 0 || kk < 0 || kT < 0) return FALLBACK;
    // id and author id: a trimmed string without escapes, or a plain integer (quoted on output)
    if (!this.plainId(b, sc.kind[ki], sc.valStart[ki], sc.valEnd[ki])) return FALLBACK;
    if (!this.plainId(b, sc.kind[ka], sc.valStart[ka], sc.valEnd[ka])) return FALLBACK;
    // text: a string within the size limit (copied as it is) whose first character is not
    // white space to `trim()`, so it is not empty or all spaces (missing): printable ASCII, or a
    // non-ASCII character outside JavaScript's white space; anything else goes the general way
    const tk = sc.kind[kt];
    if ((tk !== Kind.Str && tk !== Kind.StrEsc) || sc.valEnd[kt] - sc.valStart[kt] - 2 > this.maxText) return FALLBACK;
    const t0 = b[sc.valStart[kt] + 1];
    if (t0 <= 32 || t0 === 127 || t0 === 92 || t0 === 34 || (t0 > 127 && !startsNonSpace(b, sc.valStart[kt] + 1, sc.valEnd[kt] - 1))) return FALLBACK;
    // country: "AT"
    const cs = sc.valStart[kc];
    if (sc.kind[kc] !== Kind.Str || sc.valEnd[kc] - cs !== 4) return FALLBACK;
    const c0 = b[cs + 1] - 65;
    const c1 = b[cs + 2] - 65;
    if (c0 < 0 || c0 > 25 || c1 < 0 || c1 > 25) return FALLBACK;
    // visibility and kind: lower-case ASCII, no spaces
    if (!lowerToken(b, sc.kind[kv], sc.valStart[kv], sc.valEnd[kv]) || !lowerToken(b, sc.kind[kk], sc.valStart[kk], sc.valEnd[kk])) return FALLBACK;
    // a chat turn, or objections to single items: the general way
    if (oneOf(b, sc.valStart[kk], sc.valEnd[kk], this.chatKinds) || (this.gate.registry.byItem?.size ?? 0) > 0) return FALLBACK;
    if (!this.rfc3339 || !this.canonicalTime(b, sc.kind[kT], sc.valStart[kT], sc.valEnd[kT])) return FALLBACK;
    // flags: JSON booleans
    let deleted = false;
    let flagged = false;
    if (s.deleted >= 0) {
      const k = of[s.deleted];
      if (k < 0 || (sc.kind[k] !== Kind.True && sc.kind[k] !== Kind.False)) return FALLBACK;
      deleted = sc.kind[k] === Kind.True;
    }
    if (s.flagged >= 0) {
      const k = of[s.flagged];
      if (k < 0 || (sc.kind[k] !== Kind.True && sc.kind[k] !== Kind.False)) return FALLBACK;
      flagged = sc.kind[k] === Kind.True;
    }
    // the age inputs: a real YYYY-MM-DD birth date, and/or a plain integer age under 150
    let by = -1;
    let bm = 0;
    let bd = 0;
    if (s.birth >= 0) {
      const k = of[s.birth];
      if (k < 0 || sc.kind[k] !== Kind.Str || sc.valEnd[k] - sc.valStart[k] !== 12) return FALLBACK;
      const p = sc.valStart[k] + 1;
      if (b[p + 4] !== 45 || b[p + 7] !== 45) return FALLBACK;
      by = digits(b, p, 4);
      bm = digits(b, p + 5, 2);
      bd = digits(b, p + 8, 2);
      if (by < 0 || bm < 1 || bm > 12 || bd < 1 || bd > daysInMonth(by, bm)) return FALLBACK;
    }
    let age = -1;
    if (s.age >= 0) {
      const k = of[s.age];
      if (k < 0 || sc.kind[k] !== Kind.Num) return FALLBACK;
      const n = sc.valEnd[k] - sc.valStart[k];
      age = n >= 1 && n <= 3 && (n === 1 || b[sc.valStart[k]] !== 48) ? digits(b, sc.valStart[k], n) : -1;
      if (age < 0 || age >= 150) return FALLBACK;
    }
    // lang_hint: absent, null, or a trimmed string without escapes; and no unmapped member of that name
    let kl = -1;
    if (s.lang >= 0 && of[s.lang] >= 0) {
      kl = of[s.lang];
      if (sc.kind[kl] === Kind.Null) kl = -1;
      else if (!trimmedString(b, sc.kind[kl], sc.valStart[kl], sc.valEnd[kl])) return FALLBACK;
      for (let j = 0; j < m.nMeta; j++) {
        const q = m.metaIdx[j];
        if (sc.keyEnd[q] - sc.keyStart[q] === 9 && b.toString('latin1', sc.keyStart[q], sc.keyEnd[q]) === 'lang_hint') return FALLBACK;
      }
    }

    // Every input is canonical: the rules, in RULES order (author has no problem to report).
    const ci = c0 * 26 + c1;
    this.country = this.countryNames[ci] ??= String.fromCharCode(c0 + 65, c1 + 65);
    const g = this.gate;
    if (g.registry.byAuthor.size) {
      const at = g.registry.byAuthor.get(this.authorKey(b, sc.kind[ka], sc.valStart[ka], sc.valEnd[ka]));
      if (at !== undefined && (g.config.policy.objection_scope === 'all' || this.createdMs >= at)) return this.exclude(ki, 'objection');
    }
    if (!oneOf(b, sc.valStart[kv], sc.valEnd[kv], this.visibility)) return this.exclude(ki, 'visibility');
    if (!oneOf(b, sc.valStart[kk], sc.valEnd[kk], this.kinds)) return this.exclude(ki, 'kind');
    if (this.checkDeleted && deleted) return this.exclude(ki, 'deleted');
    if (this.checkFlagged && flagged) return this.exclude(ki, 'flagged');
    if (!this.countries[ci]) return this.exclude(ki, 'country');
    if (this.createdMs < g.windowFrom || this.createdMs > g.windowTo) return this.exclude(ki, 'window');
    let years: number;
    if (by >= 0) years = this.cy - by - (this.cm < bm || (this.cm === bm && this.cd < bd) ? 1 : 0);
    else {
      const a = ageAtPost({ createdMs: this.createdMs, age, problems: NO_PROBLEMS }, this.config);
      if (typeof a === 'string') return FALLBACK;
      years = a;
    }
    if (years < this.minAge) return this.exclude(ki, 'minor');
    // the last rule: another record of this id is excluded for visibility, kind or deletion
    if (g.conflicts !== undefined && g.conflicts.size > 0) {
      const num = sc.kind[ki] === Kind.Num;
      const why = g.conflicts.reasonOf(g.conflicts.hasher.hashBytes(b, num ? sc.valStart[ki] : sc.valStart[ki] + 1, num ? sc.valEnd[ki] : sc.valEnd[ki] - 1));
      if (why !== undefined) return this.exclude(ki, why);
    }

    // Kept: the doc line, with every value as the input wrote it (JSON.stringify would write the same bytes).
    // an upper bound of its bytes: the copied values, quotes for numeric ids, the fixed parts, two numbers
    let max = FIXED + this.sourceHead.length + 4 + 2 * 20;
    const vl = (k: number) => sc.valEnd[k] - sc.valStart[k];
    max += vl(ki) + vl(kt) + vl(ka) + vl(kT) + vl(kc) + vl(kk) + vl(kv);
    max += m.metaBytes();
    if (kl >= 0) max += sc.valEnd[kl] - sc.valStart[kl] + P_LANG.length + 1;
    const wait = w.begin(max);
    w.putBytes(P_ID, 0, P_ID.length);
    this.putId(w, b, sc.kind[ki], sc.valStart[ki], sc.valEnd[ki]);
    w.putBytes(P_TEXT, 0, P_TEXT.length);
    w.putBytes(b, sc.valStart[kt], sc.valEnd[kt]);
    w.putBytes(P_AUTHOR, 0, P_AUTHOR.length);
    this.putId(w, b, sc.kind[ka], sc.valStart[ka], sc.valEnd[ka]);
    w.putBytes(P_CREATED, 0, P_CREATED.length);
    w.putBytes(b, sc.valStart[kT], sc.valEnd[kT]);
    w.putBytes(P_COUNTRY, 0, P_COUNTRY.length);
    w.putBytes(b, sc.valStart[kc], sc.valEnd[kc]);
    w.putBytes(P_KIND, 0, P_KIND.length);
    w.putBytes(b, sc.valStart[kk], sc.valEnd[kk]);
    w.putBytes(P_VIS, 0, P_VIS.length);
    w.putBytes(b, sc.valStart[kv], sc.valEnd[kv]);
    w.putBytes(P_META, 0, P_META.length);
    m.putMeta(w);
    if (kl >= 0) {
      if (m.nMeta) w.putBytes(COMMA, 0, 1);
      w.putBytes(P_LANG, 0, P_LANG.length);
      w.putBytes(b, sc.valStart[kl], sc.valEnd[kl]);
    }
    w.putBytes(this.sourceHead, 0, this.sourceHead.length);
    w.putUint(line);
    w.putBytes(P_AGE, 0, P_AGE.length);
    w.putUint(years);
    w.putBytes(CLOSE, 0, 1);
    w.end();
    this.wait = wait;
    return KEPT;
  }

  /** The keyed id hash (as the `conflict` rule computes it) of the row judged last, after KEPT or EXCLUDED. */
  idHash(h: IdHasher): number {
    const sc = this.m.scan;
    const ki = this.m.memberOf[this.s.id];
    const num = sc.kind[ki] === Kind.Num;
    return h.hashBytes(this.m.buf!, num ? sc.valStart[ki] : sc.valStart[ki] + 1, num ? sc.valEnd[ki] : sc.valEnd[ki] - 1);
  }

  /** Record the rule and the id (member `ki`) of an excluded row. */
  private exclude(ki: number, rule: string): number {
    const b = this.m.buf!;
    const sc = this.m.scan;
    const vs = sc.valStart[ki];
    const ve = sc.valEnd[ki];
    this.rule = rule;
    this.id = sc.kind[ki] === Kind.Num ? b.toString('latin1', vs, ve) : b.toString('utf8', vs + 1, ve - 1);
    return EXCLUDED;
  }

  /** A value `String(v).trim()` leaves as it is and JSON.stringify writes as its bytes: see class comment. */
  private plainId(b: Buffer, kind: number, vs: number, ve: number): boolean {
    if (kind === Kind.Str) return trimmedString(b, kind, vs, ve);
    if (kind !== Kind.Num) return false;
    // [1-9][0-9]{0,14} or 0: Number → String gives the same digits
    const n = ve - vs;
    if (n < 1 || n > 15 || (n > 1 && b[vs] === 48)) return false;
    for (let i = vs; i < ve; i++) if (b[i] < 48 || b[i] > 57) return false;
    return true;
  }

  private putId(w: JsonlWriter, b: Buffer, kind: number, vs: number, ve: number): void {
    if (kind === Kind.Num) {
      w.putBytes(QUOTE, 0, 1);
      w.putBytes(b, vs, ve);
      w.putBytes(QUOTE, 0, 1);
    } else w.putBytes(b, vs, ve);
  }

  /** The registry key of an author id (`normaliseAuthorId`; an ASCII id is already trimmed and NFC, so only the case rule applies). */
  private authorKey(b: Buffer, kind: number, vs: number, ve: number): string {
    const s = kind === Kind.Num ? vs : vs + 1;
    const e = kind === Kind.Num ? ve : ve - 1;
    const ci = this.gate.registry.caseInsensitive;
    for (let i = s; i < e; i++) if (b[i] >= 128) return normaliseAuthorId(b.toString('utf8', s, e), ci);
    const id = b.toString('latin1', s, e);
    return ci ? id.toLowerCase() : id;
  }

  /** `"YYYY-MM-DDTHH:MM:SS(.sss)?Z"` with a real date and time; sets createdMs and the UTC date. */
  private canonicalTime(b: Buffer, kind: number, vs: number, ve: number): boolean {
    const n = ve - vs - 2;
    if (kind !== Kind.Str || (n !== 20 && n !== 24)) return false;
    const p = vs + 1;
    if (b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 84 || b[p + 13] !== 58 || b[p + 16] !== 58 || b[p + n - 1] !== 90) return false;
    const y = digits(b, p, 4);
    const mo = digits(b, p + 5, 2);
    const d = digits(b, p + 8, 2);
    const h = digits(b, p + 11, 2);
    const mi = digits(b, p + 14, 2);
    const se = digits(b, p + 17, 2);
    let ms = 0;
    if (n === 24) {
      if (b[p + 19] !== 46) return false;
      ms = digits(b, p + 20, 3);
    }
    // years before 1000 and leap seconds or 24:00 go the general way (Date.UTC and Date.parse differ there)
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || ms < 0) return false;
    this.createdMs = Date.UTC(y, mo - 1, d, h, mi, se, ms);
    this.cy = y;
    this.cm = mo;
    this.cd = d;
    return true;
  }
}

const NO_PROBLEMS = new Problems();

/** The value of `n` ASCII digits at `p`, or -1. */
function digits(b: Buffer, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[p + i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Whether the UTF-8 character at `p` (a lead byte ≥ 0x80, in a line already checked to be valid
 * UTF-8, before `end`) is not white space to `String.prototype.trim` — U+00A0, U+1680,
 * U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF are its non-ASCII ones.
 */
export function startsNonSpace(b: Buffer, p: number, end: number): boolean {
  const c = b[p];
  if (c >= 0xf0) return p + 3 < end; // four bytes: no white space beyond the BMP
  if (c >= 0xe0) {
    if (p + 2 >= end) return false;
    const cp = ((c & 0x0f) << 12) | ((b[p + 1] & 0x3f) << 6) | (b[p + 2] & 0x3f);
    return !(cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0xfeff);
  }
  if (c >= 0xc2) return p + 1 < end && !(c === 0xc2 && b[p + 1] === 0xa0);
  return false; // not a lead byte: the general way decides
}

/** A string without escapes whose first and last characters are printable ASCII, not spaces (so trim() keeps it). */
function trimmedString(b: Buffer, kind: number, vs: number, ve: number): boolean {
  if (kind !== Kind.Str || ve - vs < 3) return false;
  const f = b[vs + 1];
  const l = b[ve - 2];
  return f > 32 && f < 127 && l > 32 && l < 127;
}

/** A non-empty string of printable ASCII without upper-case letters or spaces (so trim().toLowerCase() keeps it). */
function lowerToken(b: Buffer, kind: number, vs: number, ve: number): boolean {
  if (kind !== Kind.Str || ve - vs < 3) return false;
  for (let i = vs + 1; i < ve - 1; i++) {
    const c = b[i];
    if (c <= 32 || c >= 127 || (c >= 65 && c <= 90)) return false;
  }
  return true;
}

