import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
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
import { InputError } from '../errors.js';

/**
 * Conflicting copies of one id (README, "Conflicting copies"). Exports carry edits and deletions
 * as later records of the same id, in the same file or another. When any record of an id is
 * excluded for visibility, kind or deletion — the facts that say the post must not be used at all —
 * no record of that id is kept: the filter's main pass collects each partition's such ids inline
 * (`ConflictCollector`) into its ids file, the merge pass merges them, and the gate's last rule
 * (`conflict`) excludes every other record of them as `conflict:<fact>` when a partition that kept
 * one is filtered again against them (filter-stage.ts). Facts about one
 * record (minor, age, country, date, flagged, objection by author) do not propagate: another copy
 * is judged on its own, and an objection already reaches every record of the author.
 *
 * Ids are held as 53-bit keyed hashes (seeded from the run's secret) of the id as the gate reads
 * it (trimmed) in Unicode NFC; three sorted arrays, one per fact. A hash collision can only
 * exclude more, never keep more.
 */

/** The facts that propagate, in the order the gate checks them (a set holding several names the first). */
const PROPAGATING = ['visibility', 'kind', 'deleted', 'private_message', 'chat_not_allowed', 'deleted:conversation'] as const;
type Fact = (typeof PROPAGATING)[number];
// the last three are facts of a conversation (keyed by `conversationKey`), from any of its turns (README, "Chats")

/** The string a conversation id is hashed as: apart from every doc id. */
export const conversationKey = (id: string) => '\u0001conversation\u0001' + id;

/** The keyed 53-bit hash of an id (`String(id).trim()` as the gate reads it), NFC-normalised. */
export class IdHasher {
  private readonly k1: number;
  private readonly k2: number;
  constructor(secret: string) {
    const k = createHmac('sha256', secret).update('id-conflicts').digest();
    this.k1 = k.readInt32LE(0);
    this.k2 = k.readInt32LE(4);
  }

  hash(id: string): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 128) return this.hashNfc(id.normalize('NFC'));
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, id.length);
  }

  /** The hash of the id in `b[s, e)` (its UTF-8 bytes, no escapes): for ASCII, bytes are the char codes. */
  hashBytes(b: Buffer, s: number, e: number): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c >= 128) return this.hash(b.toString('utf8', s, e));
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, e - s);
  }

  private hashNfc(s: string): number {
    let h1 = this.k1;
    let h2 = this.k2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (((h2 << 15) | (h2 >>> 17)) + h1) | 0;
    }
    return this.finish(h1, h2, s.length);
  }

  private finish(h1: number, h2: number, n: number): number {
    h1 = fmix(h1 ^ n ^ h2);
    h2 = fmix((h2 + h1) | 0);
    return (h1 >>> 0) * 2 ** 21 + (h2 >>> 11);
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The ids one partition (input file) holds that a record excludes for a propagating fact. */
export class IdConflictsPart {
  readonly byFact: number[][] = PROPAGATING.map(() => []);
  /** (conversation hash, person author hash) pairs of chat turns: a conversation with two authors holds another person */
  readonly pairs: number[] = [];
  add(fact: Fact, h: number): void {
    this.byFact[PROPAGATING.indexOf(fact)].push(h);
  }
}

/**
 * The conversations whose person turns have more than one author, over every partition's pairs:
 * memory grows with the number of conversations (README, "Chats").
 */
export function groupConversations(parts: readonly IdConflictsPart[]): IdConflictsPart {
  const first = new Map<number, number>();
  const out = new IdConflictsPart();
  for (const p of parts)
    for (let i = 0; i < p.pairs.length; i += 2) {
      const c = p.pairs[i];
      const a = p.pairs[i + 1];
      const prev = first.get(c);
      if (prev === undefined) first.set(c, a);
      else if (prev !== a && prev !== -1) {
        first.set(c, -1);
        out.add('private_message', c);
      }
    }
  return out;
}

/**
 * The merged set of every partition's conflicting ids, looked up by the gate's `conflict` rule: an
 * open-addressing table (keys in a Float64Array, the fact's index in a Uint8Array, at most half
 * full), so a lookup is a probe or two.
 */
export class IdConflicts {
  private readonly keys: Float64Array;
  private readonly facts: Uint8Array;
  private readonly mask: number;
  readonly size: number;
  constructor(
    readonly hasher: IdHasher,
    parts: IdConflictsPart[],
  ) {
    const n = parts.reduce((t, p) => t + p.byFact.reduce((u, a) => u + a.length, 0), 0);
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.facts = new Uint8Array(cap);
    this.mask = cap - 1;
    let size = 0;
    for (const p of parts)
      p.byFact.forEach((hs, j) => {
        for (const h of hs) {
          let i = this.slot(h);
          while (this.keys[i] !== -1 && this.keys[i] !== h) i = (i + 1) & this.mask;
          if (this.keys[i] === -1) {
            this.keys[i] = h;
            this.facts[i] = j;
            size++;
          } else if (j < this.facts[i]) this.facts[i] = j; // the first fact in the gate's order names it
        }
      });
    this.size = size;
  }

  private slot(h: number): number {
    return (h % 4_294_967_296) & this.mask;
  }

  /** The index in PROPAGATING of a hash's fact, or -1. */
  factIndex(h: number): number {
    let i = this.slot(h);
    for (;;) {
      const k = this.keys[i];
      if (k === h) return this.facts[i];
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** `conflict:<fact>` for a hash, or undefined. */
  reasonOf(h: number): string | undefined {
    const j = this.factIndex(h);
    return j < 0 || j >= 3 ? undefined : REASONS[j];
  }

  /** The part of this set that `kept` (hashes) meets, or undefined when it meets none. */
  hits(kept: Float64Array): IdConflictsPart | undefined {
    if (this.size === 0) return undefined;
    let part: IdConflictsPart | undefined;
    for (const h of kept) {
      const j = this.factIndex(h);
      if (j >= 0) (part ??= new IdConflictsPart()).add(PROPAGATING[j], h);
    }
    return part;
  }

  /** The reason another record of conversation `id` gives to exclude all its turns, else undefined. */
  conversationReason(id: string): string | undefined {
    if (this.size === 0) return undefined;
    const j = this.factIndex(this.hasher.hash(conversationKey(id)));
    return j >= 3 ? PROPAGATING[j] : undefined;
  }

  /** `conflict:<fact>` when some record of `id` (the doc id) is excluded for a propagating fact, else undefined. */
  reason(id: string): string | undefined {
    return this.size === 0 ? undefined : this.reasonOf(this.hasher.hash(id));
  }

  /** A digest of the set (no ids: a hash of keyed hashes), for completion fingerprints. */
  digest(): string {
    const order = [...this.keys.keys()].filter((i) => this.keys[i] !== -1).sort((a, b) => this.keys[a] - this.keys[b]);
    const h = createHmac('sha256', 'id-conflicts');
    for (const i of order) h.update(`${this.keys[i]}:${this.facts[i]};`);
    return h.digest('hex');
  }
}

const REASONS = PROPAGATING.map((f) => `conflict:${f}`);

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


/**
 * A partition's ids file (`ids/<part>.bin`): its conflicting ids, one sorted array per fact, and
 * the hashes of the ids it keeps before the conflict rule (kept, or excluded only by it), so the
 * world-1 pass can tell which partitions another partition's records overrule. The id hash is
 * fast, not a cryptographic one, so on disk each is encrypted (AES-128, one block each, with a key
 * from the run's secret): without the secret the file says nothing about any id. Layout: `VIDS`,
 * a u32 version, eight u32 counts (one per PROPAGATING fact, kept, then the chat pairs' hashes),
 * then one 16-byte block per hash (the hash as f64 little-endian, 8 zero bytes), encrypted.
 */
const IDS_MAGIC = 0x53444956; // 'VIDS'
const IDS_VERSION = 2;

/** The key the ids files are encrypted with. */
export function idsKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('ids-file').digest().subarray(0, 16);
}

const NF = PROPAGATING.length;
const HEAD = 8 + 4 * (NF + 2);

export function encodeIds(part: IdConflictsPart, kept: readonly number[], key: Buffer): Buffer {
  // conflicting ids sorted and unique (few); kept ids as they came (many; repeats are harmless)
  const arrays = [...part.byFact.map(sortedUnique), Float64Array.from(kept), Float64Array.from(part.pairs)];
  const n = arrays.reduce((t, a) => t + a.length, 0);
  const head = Buffer.alloc(HEAD);
  head.writeUInt32LE(IDS_MAGIC, 0);
  head.writeUInt32LE(IDS_VERSION, 4);
  arrays.forEach((a, j) => head.writeUInt32LE(a.length, 8 + 4 * j));
  const body = Buffer.alloc(16 * n);
  let o = 0;
  for (const a of arrays)
    for (const h of a) {
      body.writeDoubleLE(h, o);
      o += 16;
    }
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([head, c.update(body), c.final()]);
}

function sortedUnique(a: readonly number[]): Float64Array {
  const t = Float64Array.from(a).sort();
  let n = 0;
  for (let i = 0; i < t.length; i++) if (i === 0 || t[i] !== t[n - 1]) t[n++] = t[i];
  return t.subarray(0, n);
}

/** Read an ids file: its conflicting ids, or the ids it kept (only that part is decrypted). */
export function decodeIds(raw: Buffer, file: string, key: Buffer, what: 'conflicts' | 'kept'): { part: IdConflictsPart; kept: Float64Array } {
  const bad = () => new InputError(`${file}: not an ids file of this version and secret (run filter again)`);
  if (raw.length < HEAD || raw.readUInt32LE(0) !== IDS_MAGIC || raw.readUInt32LE(4) !== IDS_VERSION) throw bad();
  const counts = Array.from({ length: NF + 2 }, (_, j) => raw.readUInt32LE(8 + 4 * j));
  if (raw.length !== HEAD + 16 * counts.reduce((t, c) => t + c, 0)) throw bad();
  const nConflicts = counts.slice(0, NF).reduce((t, c) => t + c, 0);
  // conflicts: the facts' blocks and the pairs' (after the kept ones); kept: the kept blocks alone
  const keptFrom = HEAD + 16 * nConflicts;
  const keptTo = keptFrom + 16 * counts[NF];
  const ranges = what === 'conflicts' ? [raw.subarray(HEAD, keptFrom), raw.subarray(keptTo)] : [raw.subarray(keptFrom, keptTo)];
  const b = Buffer.concat(ranges.map((r) => {
    const d = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    return Buffer.concat([d.update(r), d.final()]);
  }));
  const part = new IdConflictsPart();
  let o = 0;
  const read = (n: number) => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++, o += 16) {
      const h = b.readDoubleLE(o);
      // a block that does not decrypt to a hash: another secret, or damage
      if (!Number.isInteger(h) || h < 0 || h >= 2 ** 53 || b.readDoubleLE(o + 8) !== 0 || b.readUInt32LE(o + 12) !== 0) throw bad();
      a[i] = h;
    }
    return a;
  };
  if (what === 'kept') return { part, kept: read(counts[NF]) };
  for (let j = 0; j < NF; j++) for (const h of read(counts[j])) part.byFact[j].push(h);
  for (const h of read(counts[NF + 1])) part.pairs.push(h);
  return { part, kept: new Float64Array(0) };
}
