import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { InputFile } from '../io/inputs.js';
import { openRows } from '../io/open-rows.js';
import { FlatRowMapper } from '../io/flat-mapping.js';
import { Kind, memberValue } from '../io/flat-json.js';
import { isMissing, propagatingFact } from '../io/mapping.js';
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
 * no record of that id is kept: the filter's first pass collects those ids here, and the gate's
 * last rule (`conflict`) excludes every other record of them as `conflict:<fact>`. Facts about one
 * record (minor, age, country, date, flagged, objection by author) do not propagate: another copy
 * is judged on its own, and an objection already reaches every record of the author.
 *
 * Ids are held as 53-bit keyed hashes (seeded from the run's secret) of the id as the gate reads
 * it (trimmed) in Unicode NFC; three sorted arrays, one per fact. A hash collision can only
 * exclude more, never keep more.
 */

/** The facts that propagate, in the order the gate checks them (a set holding several names the first). */
export const PROPAGATING = ['visibility', 'kind', 'deleted'] as const;
type Fact = (typeof PROPAGATING)[number];

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
  add(fact: Fact, h: number): void {
    this.byFact[PROPAGATING.indexOf(fact)].push(h);
  }
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

  /** `conflict:<fact>` for a hash, or undefined. */
  reasonOf(h: number): string | undefined {
    let i = this.slot(h);
    for (;;) {
      const k = this.keys[i];
      if (k === h) return REASONS[this.facts[i]];
      if (k === -1) return undefined;
      i = (i + 1) & this.mask;
    }
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

/** The first pass over one input file: the ids of its records that carry a propagating fact. */
export async function conflictsOfFile(f: InputFile, config: Config, g: GateContext, hasher: IdHasher): Promise<IdConflictsPart> {
  const part = new IdConflictsPart();
  const note = (fields: { [k: string]: unknown }, dups: readonly string[] | undefined) => {
    const r = factOf(fields, dups, config, g);
    if (r) part.add(r.fact, hasher.hash(r.id));
  };
  if (f.format !== 'jsonl') {
    for await (const rows of openRows(f, config)) for (const row of rows) if (row.fields !== undefined) note(row.fields, row.dups);
    return part;
  }
  // JSONL: the byte scanner of the main pass; a row whose visibility and kind are allowed lower-case
  // strings and whose deleted flag is `false` needs nothing more. Anything else is decoded.
  const m = new FlatRowMapper(config);
  const sc = m.scan;
  const fs = config.fields;
  const sId = m.slot(fs.id);
  const sVis = m.slot(fs.visibility);
  const sKind = m.slot(fs.kind);
  const sDel = fs.deleted && config.policy.exclude_deleted ? m.slot(fs.deleted) : -1;
  const vis = [...g.visibility].map((v) => Buffer.from(JSON.stringify(v)));
  const kinds = [...g.kinds].map((v) => Buffer.from(JSON.stringify(v)));
  // lines straight from the splitter (no per-line objects); a line that is oversized (yielded
  // empty), not UTF-8 or not a JSON object is malformed in the main pass and has no readable id
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
      if (m.scanLine(b, s, e)) {
        const of = m.memberOf;
        const kv = of[sVis];
        const kk = of[sKind];
        const kd = sDel >= 0 ? of[sDel] : -2;
        if (kv >= 0 && kk >= 0 && sc.kind[kv] === Kind.Str && sc.kind[kk] === Kind.Str && oneOf(b, sc.valStart[kv], sc.valEnd[kv], vis) && oneOf(b, sc.valStart[kk], sc.valEnd[kk], kinds) && (kd === -2 || (kd >= 0 && sc.kind[kd] === Kind.False)))
          continue;
        const fields: { [k: string]: unknown } = {};
        for (const [slot, col] of [[sId, fs.id], [sVis, fs.visibility], [sKind, fs.kind], [sDel, fs.deleted]] as const)
          if (slot >= 0 && of[slot] >= 0) fields[col!] = memberValue(b, sc, of[slot]);
        note(fields, undefined);
      } else {
        const text = b.toString('utf8', s, e);
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch {
          continue;
        }
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) note(v as { [k: string]: unknown }, duplicateKeys(text));
      }
    }
  }
  return part;
}

/** Whether `b[vs, ve)` (a JSON string with its quotes) is byte-equal to one of `set`. */
function oneOf(b: Buffer, vs: number, ve: number, set: Buffer[]): boolean {
  const n = ve - vs;
  for (const v of set) {
    if (v.length !== n) continue;
    let i = 0;
    while (i < n && v[i] === b[vs + i]) i++;
    if (i === n) return true;
  }
  return false;
}

/**
 * The first pass: every input file's conflicting ids (all of them, whichever partitions this worker
 * runs), merged. A file that cannot be read is an input error here as in the main pass (`label`
 * names it in messages).
 */
export async function findIdConflicts(files: InputFile[], config: Config, g: GateContext, secret: string, label: (f: InputFile) => string = (f) => f.path): Promise<IdConflicts> {
  const hasher = new IdHasher(secret);
  const parts: IdConflictsPart[] = [];
  for (const f of files) {
    try {
      parts.push(await conflictsOfFile(f, config, g, hasher));
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const msg = (e as Error).message;
      const rel = label(f);
      if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg)) throw new InputError(`${rel}: truncated or corrupt compressed file (unexpected end of data); nothing from it was kept`, { cause: e });
      if (code === 'Z_DATA_ERROR') throw new InputError(`${rel}: corrupt compressed data (${msg}); nothing from it was kept`, { cause: e });
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new InputError(`${rel}: cannot read (${code})`, { cause: e });
      throw e;
    }
  }
  return new IdConflicts(hasher, parts);
}
