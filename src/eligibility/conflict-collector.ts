import type { Config } from '../config/schema.js';
import type { InputFile } from '../io/inputs.js';
import { openRows } from '../io/open-rows.js';
import { FlatRowMapper } from '../io/flat-mapping.js';
import { Kind, memberValue, oneOf } from '../io/flat-json.js';
import { isMissing, parseBool, propagatingFact } from '../io/mapping.js';
import { expandConversation, isChatKind, isConversation, roleClass, type TurnInfo } from '../io/conversations.js';
import { normaliseAuthorId } from './objections.js';
import { isUtf8 } from 'node:buffer';
import { splitLines } from '../io/lines.js';
import { openInput } from '../io/decompress.js';
import { duplicateKeys } from '../io/rows.js';
import type { GateContext } from './policy.js';
import { IdConflictsPart, conversationKey, type Fact, type IdHasher } from './id-conflicts.js';

/**
 * The propagating fact a record carries, if its id can be read: the id field occurs once and is a
 * non-empty string or number. A repeated visibility, kind or deleted field counts as that fact (it
 * says both things). Whether the record is otherwise malformed does not matter.
 */
function factOf(fields: { [k: string]: unknown }, dups: readonly string[] | undefined, config: Config, g: GateContext): { id: string; fact: Fact } | undefined {
  const f = config.fields;
  if (dups?.includes(f.id)) return undefined;
  const rawId = fields[f.id];
  if (isMissing(rawId) || (typeof rawId !== 'string' && typeof rawId !== 'number')) return undefined;
  const fact = propagatingFact(fields, dups, config, g.visibility, g.kinds);
  return fact ? { id: String(rawId).trim(), fact } : undefined;
}

/**
 * Collects one partition's conflicting ids while the filter's main pass reads it (no pass of its
 * own): every record whose id is readable and that carries a propagating fact, whatever the gate
 * then decides about it (a deleted post of a minor, a row otherwise malformed). JSONL lines are
 * looked at from their bytes with the flat scanner: a row whose visibility and kind are allowed
 * lower-case strings and whose deleted flag is `false` needs nothing more; anything else is decoded.
 */
export class ConflictCollector {
  readonly part = new IdConflictsPart();
  private readonly m: FlatRowMapper;
  private readonly sId: number;
  private readonly sVis: number;
  private readonly sKind: number;
  private readonly sDel: number;
  private readonly vis: Buffer[];
  private readonly kinds: Buffer[];

  /** `m`: the flat mapper whose scans `scanned` reads (the main pass's, or one of its own); made from `config` */
  constructor(
    private readonly config: Config,
    private readonly g: GateContext,
    private readonly hasher: IdHasher,
    m?: FlatRowMapper,
  ) {
    this.m = m ?? new FlatRowMapper(config);
    const fs = config.fields;
    this.sId = this.m.slot(fs.id);
    this.sVis = this.m.slot(fs.visibility);
    this.sKind = this.m.slot(fs.kind);
    this.sDel = fs.deleted && config.policy.exclude_deleted ? this.m.slot(fs.deleted) : -1;
    this.vis = [...g.visibility].map((v) => Buffer.from(JSON.stringify(v)));
    // a chat turn is always decoded (its conversation's facts)
    this.kinds = [...g.kinds].filter((k) => !isChatKind(k, config)).map((v) => Buffer.from(JSON.stringify(v)));
  }

  /** A decoded row (any reader, or a turn of an expanded conversation): its fields and the keys it repeats. */
  fields(fields: { [k: string]: unknown }, dups: readonly string[] | undefined, turn?: TurnInfo): void {
    if (!turn && isConversation(fields, this.config)) {
      const turns = expandConversation(fields, this.config);
      if (typeof turns !== 'string') for (const t of turns) if (t.fields) this.fields(t.fields, undefined, t.turn);
      return;
    }
    const r = factOf(fields, dups, this.config, this.g);
    if (r) this.part.add(r.fact, this.hasher.hash(r.id));
    this.conversation(fields, dups, turn);
  }

  /** A chat turn's facts about its whole conversation: another person in it, a refused flag, a deletion; and its person author. */
  private conversation(fields: { [k: string]: unknown }, dups: readonly string[] | undefined, turn: TurnInfo | undefined): void {
    const f = this.config.fields;
    const kind = fields[f.kind];
    if (typeof kind !== 'string' || !isChatKind(kind.trim().toLowerCase(), this.config)) return;
    let conv = turn?.conversationId;
    if (conv === undefined) {
      const c = f.conversation_id ? fields[f.conversation_id] : undefined;
      if (isMissing(c) || (typeof c !== 'string' && typeof c !== 'number') || dups?.includes(f.conversation_id!)) return;
      conv = String(c).trim();
    }
    const h = this.hasher.hash(conversationKey(conv));
    const role = turn ? turn.role : dups?.includes(f.role ?? '') ? 'unknown' : roleClass(f.role ? fields[f.role] : undefined, this.config);
    if (turn?.group || role === 'missing' || role === 'unknown') this.part.add('private_message', h);
    else if (role === 'person') {
      const a = fields[f.author_id];
      if ((typeof a === 'string' || typeof a === 'number') && String(a).trim() !== '' && !dups?.includes(f.author_id))
        this.part.pairs.push(h, this.hasher.hash(normaliseAuthorId(String(a), this.g.registry.caseInsensitive)));
    }
    const cond = this.config.policy.chats.condition;
    if (cond !== 'notice_date' && f.chat_allowed && (dups?.includes(f.chat_allowed) || parseBool(fields[f.chat_allowed]) !== true)) this.part.add('chat_not_allowed', h);
    if (turn?.conversationDeleted || (f.conversation_deleted && (dups?.includes(f.conversation_deleted) || parseBool(fields[f.conversation_deleted]) !== false))) this.part.add('deleted:conversation', h);
  }

  /** The JSONL line `b` that the mapper has just scanned (`m.scanLine` returned true for it). */
  scanned(b: Buffer): void {
    const m = this.m;
    const sc = m.scan;
    const of = m.memberOf;
    const kv = of[this.sVis];
    const kk = of[this.sKind];
    const kd = this.sDel >= 0 ? of[this.sDel] : -2;
    if (kv >= 0 && kk >= 0 && sc.kind[kv] === Kind.Str && sc.kind[kk] === Kind.Str && oneOf(b, sc.valStart[kv], sc.valEnd[kv], this.vis) && oneOf(b, sc.valStart[kk], sc.valEnd[kk], this.kinds) && (kd === -2 || (kd >= 0 && sc.kind[kd] === Kind.False)))
      return;
    const fs = this.config.fields;
    const fields: { [k: string]: unknown } = {};
    for (const col of [fs.id, fs.visibility, fs.kind, fs.deleted, fs.author_id, fs.conversation_id, fs.role, fs.chat_allowed, fs.conversation_deleted]) {
      const slot = m.slot(col);
      if (slot >= 0 && of[slot] >= 0) fields[col!] = memberValue(b, sc, of[slot]);
    }
    this.fields(fields, undefined);
  }

  /**
   * A JSONL line `b[s, e)` that is valid UTF-8 and within the size limit and was not scanned
   * (`scanFailed`: the mapper of this collector already failed to scan it).
   */
  line(b: Buffer, s: number, e: number, scanFailed = false): void {
    if (e - s < 2) return;
    if (!scanFailed && this.m.scanLine(b, s, e)) return this.scanned(b);
    const text = b.toString('utf8', s, e);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) this.fields(v as { [k: string]: unknown }, duplicateKeys(text));
  }
}

/**
 * One input file's conflicting ids on its own (the main pass collects them inline with
 * `ConflictCollector`; this reads the file for them alone, for tests that hold the two to each other).
 */
export async function conflictsOfFile(f: InputFile, config: Config, g: GateContext, hasher: IdHasher): Promise<IdConflictsPart> {
  const c = new ConflictCollector(config, g, hasher);
  if (f.format !== 'jsonl') {
    for await (const rows of openRows(f, config)) for (const row of rows) if (row.fields !== undefined) c.fields(row.fields, row.dups);
    return c.part;
  }
  // a line that is oversized (yielded empty), not UTF-8 or not a JSON object has no readable id
  let okChunk: Buffer | undefined;
  let badChunk: Buffer | undefined;
  for await (const batch of splitLines(openInput(f.path), config.limits.max_line_bytes)) {
    const { bufs, starts, ends } = batch;
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i];
      const s = starts[i];
      const e = ends[i];
      if (e - s < 2) continue;
      if (b !== okChunk) {
        if (b !== badChunk && isUtf8(b)) okChunk = b;
        else {
          badChunk = b;
          if (!isUtf8(b.subarray(s, e))) continue;
        }
      }
      c.line(b, s, e);
    }
  }
  return c.part;
}
